"""Reading: every Markdown file in a file, folder or archive, as SourceFile(path, bytes, hash).

Takes the paths given to the import and a `report` callable; gives SourceFiles in order.
Whatever cannot be read (a broken link, a FIFO, a device, a file too large, a folder
without permission, a damaged archive) is reported as a Problem naming that entry, and
the walk goes on: one bad entry never hides the files after it.
"""

import hashlib
import os
import stat
import typing
from collections.abc import Iterator

import libarchive

from .results import Problem

ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".zip")
# The corpus's largest file is 0.1 MB. A limit keeps one huge or endless file (a link to
# /dev/zero, a log renamed .md) from filling memory before anything can look at it; and
# parsing holds several copies of each file in flight (60 files of 1.9 MB took 320 MB to
# import, 30 of 4.9 MB 485 MB), so it is set at twenty times the largest release.
MAX_FILE_BYTES = 2 * 2**20
FILE_KINDS = {
    stat.S_ISDIR: "a folder",
    stat.S_ISFIFO: "a named pipe",
    stat.S_ISCHR: "a character device",
    stat.S_ISBLK: "a block device",
    stat.S_ISSOCK: "a socket",
}


class SourceFile(typing.NamedTuple):
    path: str
    data: bytes
    digest: str  # of the bytes, which tells a re-run that a file is unchanged

    @classmethod
    def read(cls, path, data):
        return cls(path, data, hashlib.sha256(data).hexdigest())


def is_archive(path):
    return str(path).lower().endswith(ARCHIVE_SUFFIXES)


def read_sources(path, report) -> Iterator[SourceFile]:
    """Yield every Markdown file in a file, folder or archive; report what cannot be read.

    libarchive reads every archive format and compression in C, and lets other threads run
    while it does: twice as fast as tarfile on the full archive, whose 55,000 headers
    tarfile parses in Python.
    """
    path = str(path)
    if os.path.isdir(path):
        yield from _walk(path, report)
    elif is_archive(path) and os.path.isfile(path):
        yield from _read_archive(path, report)
    elif source := _read_file(path, report):
        yield source


def _walk(folder, report):
    """The folder's `*.md` files and its subfolders' in name order, entry by entry.

    Links to folders are not followed (a link to a parent would never end); a link to a
    file is read like the file, through the same checks.
    """
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError as exc:
        report(Problem(folder, "folder", f"cannot be read: {exc.strerror or exc}"))
        return
    for entry in entries:
        try:
            is_folder = entry.is_dir(follow_symlinks=False)
            linked_folder = not is_folder and entry.is_symlink() and entry.is_dir()
        except OSError as exc:
            report(Problem(entry.path, "file", f"cannot be read: {exc.strerror or exc}"))
            continue
        if is_folder:
            yield from _walk(entry.path, report)
        elif linked_folder:
            message = "a link to a folder, not followed; import the folder itself to read it"
            report(Problem(entry.path, "file", message, "note"))
        elif entry.name.endswith(".md") and (source := _read_file(entry.path, report)):
            yield source


def _read_file(path, report):
    """The file's SourceFile, or None (reported) if it is not a regular file of a sane size.

    Opened without blocking and checked on the open file itself, so a named pipe never
    waits for a writer and nothing can swap the file between the check and the read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if os.path.islink(path) and not os.path.exists(path):
            reason = f"a broken link: its target {os.readlink(path)} does not exist"
        else:
            reason = f"cannot be read: {exc.strerror or exc}"
        report(Problem(path, "file", reason))
        return None
    with open(fd, "rb") as file:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in FILE_KINDS.items() if test(mode)), "special")
            report(Problem(path, "file", f"not a regular file ({kind}); skipped"))
            return None
        try:
            data = file.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            report(Problem(path, "file", f"cannot be read: {exc.strerror or exc}"))
            return None
    if len(data) > MAX_FILE_BYTES:
        report(Problem(path, "file", too_large()))
        return None
    return SourceFile.read(path, data)


def _read_archive(path, report):
    name = None
    try:
        with libarchive.file_reader(path) as archive:
            for entry in archive:
                name = entry.pathname
                if not name.endswith(".md") or entry.isdir:
                    continue
                where = f"{path}:{name}"
                if not entry.isfile:
                    report(
                        Problem(where, "file", "a link inside the archive, not followed", "note")
                    )
                elif (entry.size or 0) > MAX_FILE_BYTES:
                    report(Problem(where, "file", too_large()))
                elif (data := _entry_data(entry)) is None:
                    report(Problem(where, "file", too_large()))
                else:
                    yield SourceFile.read(where, data)
    except libarchive.ArchiveError as exc:
        after = f" after {name}" if name else ""
        report(Problem(path, "archive", f"cannot be read{after}: {exc}"))


def _entry_data(entry):
    """The entry's bytes, or None past the limit (a header can understate the size)."""
    blocks, size = [], 0
    for block in entry.get_blocks():
        size += len(block)
        if size > MAX_FILE_BYTES:
            return None
        blocks.append(block)
    return b"".join(blocks)


def too_large():
    return f"larger than {MAX_FILE_BYTES // 2**20} MB, far beyond any release; skipped"
