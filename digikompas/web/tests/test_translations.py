"""Danish is the default language and English complete: every text must have its Danish."""

import shutil
import subprocess

import polib
from django.core.management import call_command

from digikompas.testing import ROOT


def test_every_text_has_a_danish_translation(tmp_path, settings, monkeypatch):
    # Extract the texts from a copy of the code, so the committed catalogue stays untouched, and
    # compare: a text added without translating it shows up as untranslated here.
    copy = tmp_path / "digikompas"
    shutil.copytree(ROOT / "digikompas", copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["da"], no_obsolete=True, verbosity=0)

    catalogue = polib.pofile(str(copy / "locale" / "da" / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]

    assert not missing, "Texts without a Danish translation (run make translations):\n" + "\n".join(
        missing
    )
    assert not fuzzy, "Fuzzy (unchecked) Danish translations:\n" + "\n".join(fuzzy)


def test_the_danish_catalogue_compiles_cleanly(tmp_path):
    po = ROOT / "digikompas" / "locale" / "da" / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
