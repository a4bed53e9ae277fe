"""Every API error as JSON: a 400 naming the parameter, a 404 for an unknown address."""

from django.http import JsonResponse
from rest_framework import exceptions
from rest_framework.views import exception_handler


def handle(exc, context):
    """DRF's answer, with a `detail` sentence a person can read: for a bad parameter,
    "page: Enter a whole number." beside {"errors": {"page": ["Enter a whole number."]}}."""
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"query": exc.detail}
        errors = {name: [str(m) for m in _listed(messages)] for name, messages in errors.items()}
        detail = " ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())
        response.data = {"detail": detail, "errors": errors}
    return response


def _listed(messages):
    return messages if isinstance(messages, list) else [messages]


def not_found(request, exception=None):
    """Any address under /api/ that names nothing."""
    return JsonResponse({"detail": f"No API endpoint at {request.path}."}, status=404)
