"""Materials and the toolbox: coordinators upload files and add links; the upload is checked by
its content, not its name; files are downloaded through a view that checks who may have them,
under their original name; tools are for everyone logged in."""

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from PIL import Image
from pypdf import PdfWriter

from digikompas.pilot import enrolment
from digikompas.pilot.models import Material, MaterialKind, Module, ModuleFormat
from digikompas.testing import field_error, html, message
from digikompas.testing import log_in_client as log_in

CREATE = reverse("pilot:material_create")
LIST = reverse("pilot:material_list")
TOOLBOX = reverse("pilot:toolbox")
MAX_BYTES = 20_000


@pytest.fixture(autouse=True)
def _small_uploads(settings):
    settings.MATERIAL_MAX_BYTES = MAX_BYTES


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "teal").save(out, format="PNG")
    return out.getvalue()


# The start of a Windows program (its "MZ" header), as a renamed .exe would begin.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def material_data(**changes) -> dict:
    data = {
        "title_da": "Skabelon til formidlingsplan",
        "title_en": "Template for a dissemination plan",
        "description_da": "",
        "description_en": "",
        "kind": "file",
        "url": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def post_file(client, name, content, **changes):
    return client.post(CREATE, material_data(upload=upload(name, content), **changes))


def make_file_material(title, name, content, *, content_type, is_tool=False, modules=()):
    material = Material(
        title_da=title, kind=MaterialKind.FILE, is_tool=is_tool, content_type=content_type
    )
    material.file.save(f"upload.{name.rsplit('.', 1)[-1]}", io.BytesIO(content), save=False)
    material.file_name = name
    material.size = len(content)
    material.save()
    material.modules.set(modules)
    return material


def stored_path(material) -> Path:
    return Path(material.file.path)


# -- uploads accepted -----------------------------------------------------------------------------


def test_the_coordinator_uploads_a_pdf_stored_under_a_random_name(client, coordinator, module):
    log_in(client, coordinator)
    content = pdf_bytes()
    response = client.post(
        CREATE,
        material_data(
            upload=upload("Formidlingsplan (endelig).pdf", content, "text/html"),
            modules=[module.pk],
            is_tool="on",
        ),
        follow=True,
    )
    assert message("The material “Template for a dissemination plan” was saved.") in html(response)
    material = Material.objects.get()
    assert material.kind == MaterialKind.FILE
    assert material.file_name == "Formidlingsplan (endelig).pdf"
    # The type is the one the content was checked to have, not what the browser said.
    assert material.content_type == "application/pdf"
    assert material.size == len(content)
    assert re.fullmatch(r"pilot/materials/[0-9a-f]{32}\.pdf", material.file.name)
    assert stored_path(material).read_bytes() == content
    assert material.uploaded_by == coordinator
    assert list(material.modules.all()) == [module]
    assert material.is_tool


def test_a_png_image_is_accepted(client, coordinator):
    log_in(client, coordinator)
    response = post_file(client, "plakat.PNG", png_bytes())
    assert response.status_code == 302
    material = Material.objects.get()
    assert material.content_type == "image/png"
    assert material.file.name.endswith(".png")


def test_a_jpeg_image_is_stored_as_jpg(client, coordinator):
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "teal").save(out, format="JPEG")
    log_in(client, coordinator)
    assert post_file(client, "foto.jpeg", out.getvalue()).status_code == 302
    material = Material.objects.get()
    assert material.content_type == "image/jpeg"
    assert material.file.name.endswith(".jpg")
    assert material.file_name == "foto.jpeg"


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("tjekliste.txt", "text/plain; charset=utf-8"),
        ("deltagere.csv", "text/csv; charset=utf-8"),
        ("guide.md", "text/markdown; charset=utf-8"),
    ],
)
def test_utf8_text_is_accepted(client, coordinator, name, content_type):
    log_in(client, coordinator)
    response = post_file(client, name, "# Tjekliste\n- Læs højt for ældre på eReolen\n".encode())
    assert response.status_code == 302
    assert Material.objects.get().content_type == content_type


def test_an_excel_workbook_is_accepted(client, coordinator):
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    log_in(client, coordinator)
    assert post_file(client, "budget.xlsx", out.getvalue()).status_code == 302
    assert Material.objects.get().content_type == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def test_a_link_is_saved_without_a_file(client, coordinator):
    log_in(client, coordinator)
    response = client.post(
        CREATE, material_data(kind="link", url="https://ereolen.dk/", title_en="eReolen")
    )
    assert response.status_code == 302
    material = Material.objects.get()
    assert material.kind == MaterialKind.LINK
    assert material.url == "https://ereolen.dk/"
    assert not material.file


# -- uploads refused ------------------------------------------------------------------------------


def refused(response, text: str) -> None:
    assert response.status_code == 400
    assert field_error("upload", text) in html(response)
    assert not Material.objects.exists()


def test_a_file_over_the_limit_is_refused(client, coordinator):
    log_in(client, coordinator)
    response = post_file(client, "stor.txt", b"a" * (MAX_BYTES + 1))
    refused(
        response,
        f"The file is {filesizeformat(MAX_BYTES + 1)}; the largest file you can upload is "
        f"{filesizeformat(MAX_BYTES)}.",
    )


def test_a_program_renamed_to_pdf_is_refused(client, coordinator):
    log_in(client, coordinator)
    refused(
        post_file(client, "faktura.pdf", EXE),
        "The file’s content is not a PDF: it looks like a Windows program.",
    )


def test_a_web_page_renamed_to_pdf_is_refused(client, coordinator):
    log_in(client, coordinator)
    refused(
        post_file(client, "side.pdf", HTML),
        "The file’s content is not a PDF: it looks like a web page (HTML).",
    )


def test_a_zip_archive_renamed_to_pdf_is_refused(client, coordinator):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("virus.exe", EXE)
    log_in(client, coordinator)
    refused(
        post_file(client, "rapport.pdf", out.getvalue()),
        "The file’s content is not a PDF: it looks like a ZIP archive.",
    )


def test_a_file_whose_extension_does_not_match_its_content_is_refused(client, coordinator):
    log_in(client, coordinator)
    refused(
        post_file(client, "billede.pdf", png_bytes()),
        "The file’s content is not a PDF: it looks like a PNG image.",
    )
    refused(
        post_file(client, "plakat.png", pdf_bytes()),
        "The file’s content is not a PNG image: it looks like a PDF.",
    )
    refused(
        post_file(client, "noter.txt", pdf_bytes()),
        "The file’s content is not a text file: it looks like a PDF.",
    )


def test_office_files_of_one_kind_are_not_taken_for_another(client, coordinator):
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    log_in(client, coordinator)
    refused(
        post_file(client, "referat.docx", out.getvalue()),
        "The file’s content is not a Word document: it looks like an Excel workbook.",
    )


def test_text_with_a_nul_byte_is_refused(client, coordinator):
    log_in(client, coordinator)
    refused(
        post_file(client, "noter.txt", b"Linje 1\x00Linje 2"),
        "The file contains NUL bytes, so it is not a text file.",
    )


def test_text_that_is_not_utf8_is_refused(client, coordinator):
    log_in(client, coordinator)
    refused(
        post_file(client, "noter.csv", "navn;by\nSøren;Århus\n".encode("latin-1")),
        "The file is not UTF-8 text. Save it with the encoding UTF-8 and upload it again.",
    )


@pytest.mark.parametrize("name", ["program.exe", "side.html", "README", "billede.gif"])
def test_an_unknown_type_is_refused(client, coordinator, name):
    log_in(client, coordinator)
    refused(
        post_file(client, name, b"GIF89a" if name.endswith("gif") else b"hello"),
        "Files of this type cannot be uploaded. Upload a PDF, Word, Excel or PowerPoint file, "
        "an OpenDocument file, a PNG or JPEG image, or a text, CSV or Markdown file.",
    )


def test_an_empty_file_or_none_is_refused(client, coordinator):
    log_in(client, coordinator)
    refused(post_file(client, "tom.txt", b""), "The file is empty.")
    refused(client.post(CREATE, material_data()), "Choose the file to upload.")


def test_a_link_must_be_http_or_https(client, coordinator):
    log_in(client, coordinator)
    response = client.post(CREATE, material_data(kind="link", url="ftp://example.com/fil"))
    assert response.status_code == 400
    assert field_error("url", "The link must start with http:// or https://.") in html(response)
    response = client.post(CREATE, material_data(kind="link", url=""))
    assert field_error("url", "Give the address of the link.") in html(response)
    assert not Material.objects.exists()


def test_a_material_needs_a_danish_title(client, coordinator):
    log_in(client, coordinator)
    response = client.post(CREATE, material_data(kind="link", url="https://x.dk/", title_da=""))
    assert field_error("title_da", "The material needs a Danish title.") in html(response)


def test_the_original_name_is_cleaned_for_display():
    from digikompas.pilot.uploads import display_name

    assert display_name("C:\\Users\\ib\\plan.pdf") == "plan.pdf"
    assert display_name("../../etc/passwd.txt") == "passwd.txt"
    # A right-to-left override would make "fil\u202efdp.exe" read as "filexe.pdf".
    assert display_name("fil\u202efdp.exe") == "fil_fdp.exe"
    assert display_name('a"b\r\n.pdf') == "a_b__.pdf"
    assert display_name("") == "file"


# -- downloads ------------------------------------------------------------------------------------


@pytest.fixture
def handout(module):
    return make_file_material(
        "Slides fra workshoppen",
        "Slides – eReolen for seniorer.pdf",
        pdf_bytes(),
        content_type="application/pdf",
        modules=[module],
    )


def download(client, material):
    """The response, with a file's content read into `body`: reading it to the end makes the
    test client close the file (closing the response again would close the database connection,
    as a finished request does)."""
    response = client.get(reverse("pilot:material_download", args=[material.pk]))
    if response.streaming:
        response.body = b"".join(response.streaming_content)
    return response


def test_a_participant_downloads_a_module_material_under_its_original_name(
    client, staff, session, handout
):
    enrolment.enrol(session, staff)
    log_in(client, staff)
    response = download(client, handout)
    assert response.status_code == 200
    assert response.body == stored_path(handout).read_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    # Not ASCII (the en dash), so given in RFC 5987 form.
    assert "filename*=utf-8''Slides%20%E2%80%93%20eReolen%20for%20seniorer.pdf" in disposition
    assert Path(handout.file.name).stem not in disposition


def test_someone_outside_the_module_gets_404(client, staff, other_staff, session, handout):
    enrolment.enrol(session, staff)
    log_in(client, other_staff)
    assert download(client, handout).status_code == 404


def test_the_facilitator_and_coordinator_download_a_module_material(
    client, facilitator, coordinator, session, handout
):
    for who in (facilitator, coordinator):
        log_in(client, who)
        assert download(client, handout).status_code == 200


def test_a_tool_is_downloadable_by_everyone_logged_in(client, other_staff, outsider):
    tool = make_file_material(
        "Tjekliste",
        "tjekliste.txt",
        b"Punkt 1\n",
        content_type="text/plain; charset=utf-8",
        is_tool=True,
    )
    for who in (other_staff, outsider):
        log_in(client, who)
        response = download(client, tool)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert 'filename="tjekliste.txt"' in response["Content-Disposition"]
    client.logout()
    assert download(client, tool).status_code == 302  # to the login page


def test_a_link_material_redirects_to_its_address(client, other_staff):
    link = Material.objects.create(
        title_da="eReolen", kind=MaterialKind.LINK, url="https://ereolen.dk/", is_tool=True
    )
    log_in(client, other_staff)
    response = download(client, link)
    assert response.status_code == 302
    assert response["Location"] == "https://ereolen.dk/"


def test_a_link_that_is_not_http_is_never_followed(client, coordinator):
    # Written past the form (e.g. in the admin or an import): the download still refuses it.
    link = Material.objects.create(
        title_da="Skadelig", kind=MaterialKind.LINK, url="javascript:alert(1)", is_tool=True
    )
    log_in(client, coordinator)
    assert download(client, link).status_code == 404


def test_media_files_are_not_served_at_media_url(client, coordinator, handout):
    log_in(client, coordinator)
    assert client.get(f"/media/{handout.file.name}").status_code == 404


# -- editing and deleting -------------------------------------------------------------------------


def test_deleting_a_material_deletes_its_file(
    client, coordinator, handout, django_capture_on_commit_callbacks
):
    path = stored_path(handout)
    assert path.exists()
    log_in(client, coordinator)
    url = reverse("pilot:material_delete", args=[handout.pk])
    page = client.get(url)
    assert "Slides – eReolen for seniorer.pdf" in html(page)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert message("The material “Slides fra workshoppen” was deleted.") in html(response)
    assert not Material.objects.exists()
    assert not path.exists()


def test_a_new_file_replaces_the_old_one(
    client, coordinator, handout, module, django_capture_on_commit_callbacks
):
    old = stored_path(handout)
    log_in(client, coordinator)
    url = reverse("pilot:material_edit", args=[handout.pk])
    assert "Leave it empty to keep the file Slides – eReolen for seniorer.pdf." in html(
        client.get(url)
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            material_data(
                title_da="Slides", upload=upload("ny.png", png_bytes()), modules=[module.pk]
            ),
        )
    assert response.status_code == 302
    handout.refresh_from_db()
    assert handout.file_name == "ny.png"
    assert handout.content_type == "image/png"
    assert stored_path(handout).exists()
    assert not old.exists()


def test_editing_without_a_file_keeps_the_file(client, coordinator, handout, module):
    log_in(client, coordinator)
    url = reverse("pilot:material_edit", args=[handout.pk])
    response = client.post(url, material_data(title_da="Nye slides", modules=[]))
    assert response.status_code == 302
    handout.refresh_from_db()
    assert handout.title_da == "Nye slides"
    assert stored_path(handout).exists()
    assert not handout.modules.exists()


def test_a_file_that_becomes_a_link_loses_its_file(
    client, coordinator, handout, django_capture_on_commit_callbacks
):
    old = stored_path(handout)
    log_in(client, coordinator)
    url = reverse("pilot:material_edit", args=[handout.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, material_data(kind="link", url="https://filmstriben.dk/"))
    assert response.status_code == 302
    handout.refresh_from_db()
    assert handout.kind == MaterialKind.LINK
    assert not handout.file
    assert handout.file_name == ""
    assert not old.exists()


def test_only_coordinators_manage_materials(client, staff, analyst, handout):
    for who in (staff, analyst):
        log_in(client, who)
        for url in (
            LIST,
            CREATE,
            reverse("pilot:material_edit", args=[handout.pk]),
            reverse("pilot:material_delete", args=[handout.pk]),
        ):
            assert client.get(url).status_code == 403
        assert client.post(reverse("pilot:material_delete", args=[handout.pk])).status_code == 403
    assert Material.objects.filter(pk=handout.pk).exists()


def test_the_material_list_shows_which_modules_use_each(client, coordinator, programme, handout):
    other = Module.objects.create(
        programme=programme,
        position=2,
        format=ModuleFormat.WEBINAR,
        title_da="Filmstriben i skolen",
    )
    handout.modules.add(other)
    log_in(client, coordinator)
    page = html(client.get(LIST))
    assert "Slides fra workshoppen" in page
    assert (
        "<li>Pilot education in digital dissemination – Promoting eReolen to seniors</li>" in page
    )
    assert "Filmstriben i skolen" in page


def test_the_material_list_has_an_empty_state(client, coordinator):
    log_in(client, coordinator)
    assert "There are no materials yet." in html(client.get(LIST))


# -- the toolbox ----------------------------------------------------------------------------------


def test_the_toolbox_lists_tools_and_filters_them(client, other_staff, module, handout):
    checklist = Material.objects.create(
        title_da="Tjekliste til læseklub",
        description_da="Til eReolen-læseklubber for seniorer.",
        kind=MaterialKind.LINK,
        url="https://example.dk/tjekliste",
        is_tool=True,
    )
    checklist.modules.add(module)
    Material.objects.create(
        title_da="Plakat", kind=MaterialKind.LINK, url="https://example.dk/plakat", is_tool=True
    )
    log_in(client, other_staff)
    page = html(client.get(TOOLBOX))
    assert "Tjekliste til læseklub" in page
    assert "Plakat" in page
    assert "Slides fra workshoppen" not in page  # a module's material, not a tool

    found = client.get(TOOLBOX, {"q": "læseklub"})
    assert [m.title_da for m in found.context["page"]] == ["Tjekliste til læseklub"]
    by_module = client.get(TOOLBOX, {"module": module.pk})
    assert [m.title_da for m in by_module.context["page"]] == ["Tjekliste til læseklub"]
    by_programme = client.get(TOOLBOX, {"programme": module.programme_id})
    assert [m.title_da for m in by_programme.context["page"]] == ["Tjekliste til læseklub"]
    none = client.get(TOOLBOX, {"q": "ingenting"})
    assert "No tools match these filters." in html(none)


def test_the_toolbox_has_an_empty_state(client, staff):
    log_in(client, staff)
    assert "There are no tools in the toolbox yet." in html(client.get(TOOLBOX))


# -- in Chromium ----------------------------------------------------------------------------------


@pytest.mark.browser
def test_the_material_pages_and_the_toolbox_pass_axe_core(page, coordinator, module, handout):
    from digikompas.testing import assert_accessible
    from digikompas.testing import log_in as log_in_page

    Material.objects.create(
        title_da="Tjekliste til læseklub",
        description_da="Til eReolen-læseklubber.",
        kind=MaterialKind.LINK,
        url="https://example.dk/tjekliste",
        is_tool=True,
    ).modules.add(module)
    log_in_page(page, coordinator.email)
    page.wait_for_url(lambda url: "/accounts/" not in url)
    for url in (
        LIST,
        reverse("pilot:material_edit", args=[handout.pk]),
        reverse("pilot:material_delete", args=[handout.pk]),
        TOOLBOX,
        f"{TOOLBOX}?q=ingenting",
    ):
        page.goto(url)
        assert_accessible(page)

    page.goto(CREATE)
    page.fill("#id_title_da", "Plakat")
    page.check("#id_kind_0")  # a file
    page.set_input_files(
        "#id_upload", files=[{"name": "plakat.pdf", "mimeType": "application/pdf", "buffer": EXE}]
    )
    page.locator("main form button.button-primary").click()
    assert page.locator("#id_upload_error").is_visible()
    assert "Windows" in page.locator("#id_upload_error").inner_text()
    assert_accessible(page)
