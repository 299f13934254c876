"""The files of the pilot's materials: which uploads are accepted, and storing and removing them.

An upload is accepted when its name ends in one of the allowed extensions, its content is of the
type the extension says (sniffed with `filetype` from the first bytes, so a program or a web page
renamed to .pdf is refused), and it is no larger than settings.MATERIAL_MAX_BYTES. Text files
(.txt, .csv, .md) have no signature to sniff: they must decode as UTF-8 and hold no NUL byte.

The file is stored under a random name (models.material_path); the uploaded name is kept, cleaned
up, only for display and for the download's Content-Disposition. The stored content type is the
one belonging to the checked type, never the one the browser sent. Files are never served from
MEDIA_URL: views_harvest.material_download checks who may have each one.

A material's old file is removed when the material is deleted or gets a new file, after the
transaction commits, so that a rolled-back change never loses a file still referred to.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from digikompas.orgs.models import Person

from .models import Material, MaterialKind, Module

# Bytes read to recognise a type: filetype looks at no more than this.
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class FileType:
    # What the type is called in "The file’s content is not <name>", with its article.
    name: str
    content_type: str
    # The type filetype recognises from the content; None for plain text, which has no signature.
    sniffed: str | None


PDF = FileType(_("a PDF"), "application/pdf", "pdf")
DOCX = FileType(
    _("a Word document"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docx",
)
XLSX = FileType(
    _("an Excel workbook"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xlsx",
)
PPTX = FileType(
    _("a PowerPoint presentation"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pptx",
)
ODT = FileType(_("an OpenDocument text"), "application/vnd.oasis.opendocument.text", "odt")
ODS = FileType(
    _("an OpenDocument spreadsheet"), "application/vnd.oasis.opendocument.spreadsheet", "ods"
)
ODP = FileType(
    _("an OpenDocument presentation"), "application/vnd.oasis.opendocument.presentation", "odp"
)
PNG = FileType(_("a PNG image"), "image/png", "png")
JPEG = FileType(_("a JPEG image"), "image/jpeg", "jpg")
TEXT = FileType(_("a text file"), "text/plain; charset=utf-8", None)
CSV = FileType(_("a CSV file"), "text/csv; charset=utf-8", None)
MARKDOWN = FileType(_("a Markdown file"), "text/markdown; charset=utf-8", None)

# By extension (lower case, without the dot).
ALLOWED: dict[str, FileType] = {
    "pdf": PDF,
    "docx": DOCX,
    "xlsx": XLSX,
    "pptx": PPTX,
    "odt": ODT,
    "ods": ODS,
    "odp": ODP,
    "png": PNG,
    "jpg": JPEG,
    "jpeg": JPEG,
    "txt": TEXT,
    "csv": CSV,
    "md": MARKDOWN,
}
ACCEPT = ",".join(f".{extension}" for extension in ALLOWED)

# What a recognised type that is not allowed is called in the refusal.
_OTHER_NAMES = {
    "exe": _("a Windows program"),
    "elf": _("a program"),
    "zip": _("a ZIP archive"),
    "rar": _("a RAR archive"),
    "7z": _("a 7-Zip archive"),
    "gz": _("a compressed archive"),
    "doc": _("an old Word document (.doc)"),
    "xls": _("an old Excel workbook (.xls)"),
    "ppt": _("an old PowerPoint presentation (.ppt)"),
    "gif": _("a GIF image"),
    "rtf": _("an RTF document"),
}


def _type_name(kind) -> str:
    for file_type in ALLOWED.values():
        if file_type.sniffed == kind.extension:
            return str(file_type.name)
    # Translators: a file type the upload was recognised as, e.g. "a file of the type image/webp".
    return str(_OTHER_NAMES.get(kind.extension) or _("a file of the type %(type)s")) % {
        "type": kind.mime
    }


@dataclass(frozen=True)
class CheckedUpload:
    """An accepted upload: its file, the name to show, its canonical extension, type and size."""

    upload: UploadedFile
    file_name: str
    extension: str
    content_type: str
    size: int


def allowed_types_text() -> str:
    return str(
        _(
            "A PDF, Word, Excel or PowerPoint file, an OpenDocument file, a PNG or JPEG image, "
            "or a text, CSV or Markdown file, of at most %(max)s."
        )
    ) % {"max": filesizeformat(settings.MATERIAL_MAX_BYTES)}


def check_upload(upload: UploadedFile) -> CheckedUpload:
    """The upload, checked; ValidationError with the reason when it cannot be accepted."""
    file_name = display_name(upload.name or "")
    extension = PurePath(file_name).suffix.lower().removeprefix(".")
    file_type = ALLOWED.get(extension)
    if file_type is None:
        raise ValidationError(
            _(
                "Files of this type cannot be uploaded. Upload a PDF, Word, Excel or PowerPoint "
                "file, an OpenDocument file, a PNG or JPEG image, or a text, CSV or Markdown file."
            ),
            code="type",
        )
    if upload.size > settings.MATERIAL_MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s; the largest file you can upload is %(max)s."),
            code="size",
            params={
                "size": filesizeformat(upload.size),
                "max": filesizeformat(settings.MATERIAL_MAX_BYTES),
            },
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    kind = filetype.guess(head)
    if file_type.sniffed is None:
        _check_text(upload, file_type, kind)
    elif kind is None or kind.extension != file_type.sniffed:
        raise ValidationError(
            _("The file’s content is not %(expected)s: it looks like %(found)s."),
            code="content",
            params={"expected": file_type.name, "found": _found(head, kind)},
        )
    upload.seek(0)
    return CheckedUpload(
        upload=upload,
        file_name=file_name,
        extension="jpg" if file_type is JPEG else extension,
        content_type=file_type.content_type,
        size=upload.size,
    )


def _found(head: bytes, kind) -> str:
    if kind is not None:
        return _type_name(kind)
    start = head.lstrip()[:100].lower()
    if start.startswith((b"<!doctype html", b"<html", b"<head", b"<script", b"<body")):
        return str(_("a web page (HTML)"))
    if b"\x00" not in head:
        return str(_("text"))
    return str(_("a file of an unknown type"))


def _check_text(upload: UploadedFile, file_type: FileType, kind) -> None:
    if kind is not None:
        raise ValidationError(
            _("The file’s content is not %(expected)s: it looks like %(found)s."),
            code="content",
            params={"expected": file_type.name, "found": _type_name(kind)},
        )
    upload.seek(0)
    # A text material is small; reading it whole is what decoding it takes anyway.
    raw = upload.read()
    if b"\x00" in raw:
        raise ValidationError(
            _("The file contains NUL bytes, so it is not %(expected)s."),
            code="nul",
            params={"expected": file_type.name},
        )
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError(
            _("The file is not UTF-8 text. Save it with the encoding UTF-8 and upload it again."),
            code="encoding",
        ) from None


_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069\"\\/:*?<>|]")


def display_name(name: str) -> str:
    """The uploaded name made safe to show and to send back in a download: the last part of a
    path only, no control characters, no reversing of the text direction (which could make
    "fil" U+202E "fdp.exe" read as "filexe.pdf"), no characters that file systems refuse, at
    most 200 characters with its extension kept."""
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[\\/]", name)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")
    path = PurePath(name or "file")
    suffix = path.suffix[:10] if path.suffix else ""
    stem = path.name[: len(path.name) - len(path.suffix)] if path.suffix else path.name
    return (stem[: 200 - len(suffix)] or "file") + suffix


# -- storing materials --------------------------------------------------------------------------


def _remove_after_commit(name: str) -> None:
    if not name:
        return
    storage = Material._meta.get_field("file").storage
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def save_material(
    *,
    material: Material,
    modules: list[Module] | None,
    checked: CheckedUpload | None,
    by: Person | None,
) -> Material:
    """Save a material from a valid form (its fields set on `material`), with a new file when
    `checked` is given, and the modules that use it when `modules` is not None. A file replaced,
    or dropped because the material became a link, is removed once the change is committed."""
    old_name = Material.objects.filter(pk=material.pk).values_list("file", flat=True).first()
    if material.kind == MaterialKind.LINK:
        material.file = ""
        material.file_name = material.content_type = ""
        material.size = None
    else:
        material.url = ""
        if checked is not None:
            # The random name comes from material_path; the given name only lends its extension.
            material.file.save(f"upload.{checked.extension}", checked.upload, save=False)
            material.file_name = checked.file_name
            material.content_type = checked.content_type
            material.size = checked.size
    if material.pk is None:
        material.uploaded_by = by
    try:
        material.full_clean()
        material.save()
    except Exception:
        # The new file is not referred to by any row: do not leave it behind.
        if checked is not None and material.file and material.file.name != old_name:
            material.file.storage.delete(material.file.name)
        raise
    if modules is not None:
        material.modules.set(modules)
    if old_name and old_name != material.file.name:
        _remove_after_commit(old_name)
    return material


@transaction.atomic
def delete_material(*, material: Material) -> None:
    """Delete the material and, once that is committed, its file."""
    name = material.file.name if material.file else ""
    material.delete()
    _remove_after_commit(name)
