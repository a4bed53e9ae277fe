import getpass
import signal
import socket
import sys
import threading
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from releases.importing import StrictModeError, import_releases

INTERRUPTED = 130  # the shell's status for a command stopped by Ctrl-C


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
        stop = threading.Event()
        previous = signal.signal(signal.SIGINT, lambda *_: self._interrupt(stop))
        try:
            with tqdm(unit=" files", disable=not show_bar, file=sys.stderr) as bar:
                result = import_releases(
                    paths, dry_run=dry_run, strict=strict, batch_size=batch_size,
                    progress=lambda source: bar.update(), stop=stop,
                    started_by=f"manage.py load_releases, by {getpass.getuser()} on "
                    f"{socket.gethostname()}",
                )  # fmt: skip
        except StrictModeError as exc:
            raise CommandError(
                f"{exc}\n--strict: stopped at the first error; nothing was written."
            ) from None
        except KeyboardInterrupt:
            raise CommandError(
                "Stopped at once: the batch being written was rolled back, earlier batches "
                "are kept. Run the same command again to import the rest.",
                returncode=INTERRUPTED,
            ) from None
        finally:
            signal.signal(signal.SIGINT, previous)
        for problem in result.problems:
            if verbosity > 0 or problem.level == "error":
                self.stderr.write(f"{problem.level}: {problem}")
        if report:
            Path(report).write_text(result.as_json(), encoding="utf-8")
        self.stdout.write(result.summary())
        if result.aborted:
            raise CommandError(
                f"Stopped: {result.aborted}. The batches before it are written; the files "
                "after it were not read."
            )
        if result.interrupted:
            written = (
                "nothing was written"
                if strict or dry_run
                else (f"{result.batches} batch(es) were written whole")
            )
            raise CommandError(
                f"Interrupted: {written}. Run the same command again to import the rest.",
                returncode=INTERRUPTED,
            )
        if result.errors:
            raise CommandError(
                f"{result.skipped} file(s) skipped because of errors (listed above)."
            )

    def _interrupt(self, stop):
        """The first Ctrl-C stops the import after the batch being written; a second one
        stops it at once."""
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        self.stderr.write("\nStopping after the batch being written (Ctrl-C again: at once) …")
