"""What an import reports: a Problem per thing wrong with a file, and the ImportResult that
counts what was written. Every stage reports through these, so the command, the JSON
report and the tests read one shape."""

import dataclasses
import json


@dataclasses.dataclass(frozen=True)
class Problem:
    """Something wrong with one file: an error skips the file, a warning or note does not."""

    path: str
    field: str
    message: str
    level: str = "error"

    def __str__(self):
        return f"{self.path}: {self.field}: {self.message}"


class InvalidFile(Exception):
    """One file cannot be imported: `field` names what is wrong with it."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message


class StrictModeError(Exception):
    """Raised in --strict mode at the first error; the whole import is rolled back."""

    def __init__(self, problem):
        super().__init__(str(problem))
        self.problem = problem


class ImportAborted(Exception):
    """The import could not go on (its parsing processes died); batches already written
    stay written, and running it again carries on from there."""


COUNTS = ("files", "created", "updated", "unchanged", "kept", "duplicates", "skipped")


@dataclasses.dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # changed files whose release was edited in the admin since: edit kept
    duplicates: int = 0  # releases found to repeat another (editorial/duplicates.py)
    ignored: int = 0
    files: int = 0
    batches: int = 0  # transactions committed (or, in a dry run, that would have been)
    elapsed: float = 0.0
    dry_run: bool = False
    interrupted: bool = False  # stopped between batches, at the user's request
    aborted: str = ""  # why the import could not go on, if it could not
    problems: list = dataclasses.field(default_factory=list)

    @property
    def errors(self):
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self):
        return [p for p in self.problems if p.level == "warning"]

    @property
    def skipped(self):
        return len(self.errors)

    @property
    def rate(self):
        return self.files / self.elapsed if self.elapsed else 0.0

    def summary(self):
        prefix = "Dry run, nothing written: would have " if self.dry_run else ""
        return (
            f"{prefix}{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{f'{self.kept} kept as edited in the admin, ' if self.kept else ''}"
            f"{f'{self.duplicates} duplicates of another release, ' if self.duplicates else ''}"
            f"{self.skipped} skipped, {len(self.warnings)} warnings; {self.files} files in "
            f"{self.elapsed:.1f} s ({self.rate:,.0f} files/s)."
        )

    def as_json(self):
        counts = {k: getattr(self, k) for k in COUNTS}
        return json.dumps(
            {
                **counts,
                "interrupted": self.interrupted,
                "aborted": self.aborted,
                "problems": [dataclasses.asdict(p) for p in self.problems],
            },
            indent=2,
        )
