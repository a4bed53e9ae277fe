"""The two roles of a press office, as groups: give a person one in the admin's Users page.

Editors write and change drafts and preview them; publishers also publish, schedule,
withdraw, unpublish and delete releases, and look after ministers and portfolios (renames
and merges). The permission `publish_release` is the dividing line that the admin checks
on every request (releases/editorial/states.py: can_publish).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = [
    "add_release", "change_release", "view_release",
    "view_minister", "view_portfolio", "view_government", "view_importrun",
]  # fmt: skip
PUBLISHER = EDITOR + [
    "publish_release", "delete_release",
    "add_minister", "change_minister", "add_portfolio", "change_portfolio",
    "add_ministeralias", "change_ministeralias", "delete_ministeralias", "view_ministeralias",
    "add_portfolioalias", "change_portfolioalias", "delete_portfolioalias",
    "view_portfolioalias",
]  # fmt: skip
ROLES = {"Editor": EDITOR, "Publisher": PUBLISHER}


def create_groups(apps, schema_editor):
    # Permissions are made after all migrations have run; a new database needs them now.
    # create_permissions() skips an app without models, which a migration's stub seems.
    app_config = apps.get_app_config("releases")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="releases", codename__in=codenames)
        )


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("releases", "0013_import_runs_and_conflicts"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
