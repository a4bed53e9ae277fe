import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from releases.exporting import export_releases, write_bulk_download
from releases.exporting.bulk import bulk_download_path
from releases.exporting.markdown import exported


class Command(BaseCommand):
    help = (
        "Export releases as Markdown with the front matter load_releases reads, one file "
        "each at releases/YYYY/MM/YYYY-MM-DD-<slug>.md, into DEST: a new folder, or a "
        ".tar.gz or .zip archive. Or, with --jsonl, write the public bulk download."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", nargs="?", metavar="DEST")
        parser.add_argument(
            "--include-drafts",
            action="store_true",
            help="Every release, whatever its state, with its status and times: a staff "
            "backup. Without it, published releases only.",
        )
        parser.add_argument(
            "--jsonl",
            nargs="?",
            const="",
            metavar="PATH",
            help="Write the public archive as gzipped JSON Lines instead: to PATH, or to "
            f"the file the site serves ({bulk_download_path()}) when none is given.",
        )

    def handle(self, *, destination, include_drafts, jsonl, verbosity, **options):
        if (jsonl is None) == (destination is None):
            raise CommandError("Give either DEST or --jsonl [PATH].")
        if jsonl is not None and include_drafts:
            raise CommandError("The bulk download is public: --include-drafts is for DEST.")
        releases = exported(include_drafts)
        show_bar = verbosity > 0 and sys.stderr.isatty()
        with tqdm(
            total=releases.count() if show_bar else None,
            unit=" releases",
            disable=not show_bar,
            file=sys.stderr,
        ) as bar:
            if jsonl is not None:
                result = write_bulk_download(jsonl or None, progress=bar.update)
            else:
                try:
                    result = export_releases(
                        destination, include_drafts=include_drafts, progress=bar.update
                    )
                except FileExistsError as exc:
                    raise CommandError(str(exc)) from None
                for name in result.astray:
                    self.stderr.write(
                        f"warning: “{name}” would not be read back as the same minister or "
                        "portfolio (the importer takes it for link text, or it is another "
                        "record's spelling); rename it in the admin"
                    )
        self.stdout.write(result.summary())
