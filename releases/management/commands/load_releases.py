import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from releases.importer import StrictModeError, import_releases


class Command(BaseCommand):
    help = (
        "Import press releases from Markdown files with YAML front matter: single files, "
        "folders (searched recursively) or .tar/.tar.gz/.tar.xz/.zip archives. Re-running "
        "is safe: unchanged files are skipped and changed ones update their release."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--strict", action="store_true", help="Stop at the first error and write nothing."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and report without writing."
        )
        parser.add_argument(
            "--report", metavar="FILE", help="Write every error and warning as JSON."
        )
        parser.add_argument("--batch-size", type=int, default=1000, help="Files per transaction.")

    def handle(self, *, paths, strict, dry_run, report, batch_size, verbosity, **options):
        show_bar = verbosity > 0 and sys.stderr.isatty()
        with tqdm(unit=" files", disable=not show_bar, file=sys.stderr) as bar:
            try:
                result = import_releases(
                    paths, dry_run=dry_run, strict=strict, batch_size=batch_size,
                    progress=lambda source: bar.update(),
                )  # fmt: skip
            except StrictModeError as exc:
                raise CommandError(
                    f"{exc}\n--strict: stopped at the first error; nothing was written."
                ) from None
        for problem in result.problems:
            if verbosity > 0 or problem.level == "error":
                self.stderr.write(f"{problem.level}: {problem}")
        if report:
            Path(report).write_text(result.as_json(), encoding="utf-8")
        self.stdout.write(result.summary())
        if result.errors:
            raise CommandError(
                f"{result.skipped} file(s) skipped because of errors (listed above)."
            )
