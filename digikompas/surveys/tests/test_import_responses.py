"""Importing responses collected elsewhere: importing.py (reading, mapping, checking) and
importing_service.import_responses (writing).

Messages are read in English (the source strings), whether or not the Danish catalogue has them.
"""

import datetime
import io
import json

import pytest
from django.utils import formats, timezone, translation
from openpyxl import Workbook

from digikompas.orgs.models import JobRole
from digikompas.surveys import importing, services
from digikompas.surveys.importing import (
    ImportRejected,
    automatic_choices,
    choices_from_json,
    make_mapping,
    read_sheet,
)
from digikompas.surveys.importing_service import import_responses
from digikompas.surveys.models import AnonymityMode, Invitation, Response

from .conftest import open_round

HEADER = (
    "respondent;email;library;job_role;s-1;s-2;time-1;frequency;why-not;resources;hours;comment"
)
ALICE = "r1;alice@odense.example;;;2;1;4;never;Ingen tid;ereolen;10;"
BRANCH = "r2;;746100-02;Bibliotekar;1;0;2;weekly;;filmstriben;3;God dag"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def csv(*lines: str, bom: bool = True) -> bytes:
    text = "\r\n".join(lines) + "\r\n"
    return ("\ufeff" + text if bom else text).encode()


def import_file(round, content: bytes, *, filename="answers.csv", choices=None):
    sheet = read_sheet(content=content, filename=filename)
    items = services.items_of(round.survey)
    chosen = automatic_choices(sheet.headers, items) if choices is None else choices
    mapping = make_mapping(sheet.headers, items, chosen)
    return import_responses(round=round, sheet=sheet, mapping=mapping)


def problems(round, content: bytes, **more) -> list[str]:
    with pytest.raises(ImportRejected) as info:
        import_file(round, content, **more)
    return [*info.value.file_errors, *(str(error) for error in info.value.errors)]


def answers_of(response) -> dict:
    return {
        answer.item.code: answer.number
        if answer.number is not None
        else answer.choices or answer.text
        for answer in response.answers.select_related("item")
    }


def day(moment) -> str:
    return formats.date_format(timezone.localtime(moment).date(), "DATE_FORMAT")


# -- importing ------------------------------------------------------------------------------------


def test_it_stores_each_row_as_a_response_with_typed_answers(
    round, staff, odense_main, odense_branch
):
    result = import_file(round, csv(HEADER, ALICE, BRANCH))

    assert (result.created, result.unchanged) == (2, 0)
    alice = Response.objects.get(import_key="r1")
    assert answers_of(alice) == {
        "s-1": 2,
        "s-2": 1,
        "time-1": 4,
        "frequency": "never",
        "why-not": "Ingen tid",
        "resources": ["ereolen"],
        "hours": 10,
    }
    assert alice.person == staff
    assert (alice.library, alice.municipality) == (odense_main, odense_main.municipality)
    assert alice.region == odense_main.municipality.region
    assert alice.job_role == JobRole.LIBRARIAN
    branch = Response.objects.get(import_key="r2")
    assert branch.person is None
    assert branch.invitation is None
    assert branch.library == odense_branch
    assert branch.job_role == JobRole.LIBRARIAN
    assert answers_of(branch)["comment"] == "God dag"


def test_it_counts_the_new_responses_per_library(round, staff, odense_main, odense_branch):
    anonymous = "r3;;;;1;1;1;weekly;;;;"

    result = import_file(round, csv(HEADER, ALICE, BRANCH, anonymous))

    assert [(unit.library, unit.created) for unit in result.units] == [
        (odense_main, 1),
        (odense_branch, 1),
        (None, 1),
    ]


def test_a_library_and_job_role_in_the_file_win_over_the_persons(round, staff, odense_branch):
    row = "r1;alice@odense.example;746100-02;Digital vejleder;2;1;4;weekly;;;;"

    import_file(round, csv(HEADER, row))

    response = Response.objects.get()
    assert response.person == staff
    assert response.library == odense_branch
    assert response.job_role == JobRole.DIGITAL_GUIDE


def test_it_reads_an_excel_workbook(round, staff):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Svar-ID", "E-mail", "s-1", "s-2", "time-1", "frequency", "hours"])
    sheet.append([101, "alice@odense.example", 2, 1.0, 5, "Aldrig", 12])
    out = io.BytesIO()
    workbook.save(out)

    result = import_file(round, out.getvalue(), filename="answers.xlsx")

    assert result.created == 1
    response = Response.objects.get()
    assert response.import_key == "101"
    assert answers_of(response) == {
        "s-1": 2,
        "s-2": 1,
        "time-1": 5,
        "frequency": "never",
        "hours": 12,
    }


def test_it_reads_a_comma_separated_file_without_a_byte_order_mark(round, staff):
    content = csv(
        "email,s-1,s-2,time-1,frequency,resources",
        'alice@odense.example,2,1,4,weekly,"ereolen, filmstriben"',
        bom=False,
    )

    import_file(round, content)

    assert answers_of(Response.objects.get())["resources"] == ["ereolen", "filmstriben"]


def test_it_accepts_labels_of_options_and_scales_and_a_decimal_comma(round, staff):
    content = csv(
        "s-1;s-2;time-1;frequency;resources;hours",
        "ØVET;Begynder;Enig;hver  uge;Filmstriben, EREOLEN;12,0",
        "Intet;0;strongly disagree;Monthly;Ingen;",
    )

    import_file(round, content)

    first, second = Response.objects.order_by("pk")
    assert answers_of(first) == {
        "s-1": 2,
        "s-2": 1,
        "time-1": 4,
        "frequency": "weekly",
        "resources": ["ereolen", "filmstriben"],
        "hours": 12,
    }
    assert answers_of(second) == {
        "s-1": 0,
        "s-2": 0,
        "time-1": 1,
        "frequency": "monthly",
        "resources": ["none"],
    }


def test_an_answer_to_a_question_the_row_skips_is_not_kept(round):
    # "why-not" is only asked when the answer to "frequency" is "never".
    import_file(round, csv("s-1;s-2;time-1;frequency;why-not", "1;1;1;weekly;Ingen tid"))

    assert "why-not" not in answers_of(Response.objects.get())


def test_a_closed_round_takes_imports(survey, odense, staff):
    now = timezone.now()
    closed = services.create_round(
        survey=survey,
        title="Efterår 2025",
        opens_at=now - datetime.timedelta(days=60),
        closes_at=now - datetime.timedelta(days=30),
        municipalities=[odense],
    )

    assert import_file(closed, csv(HEADER, ALICE)).created == 1


def test_a_round_that_has_not_opened_is_refused(survey, odense):
    opens = timezone.now() + datetime.timedelta(days=3)
    future = services.create_round(
        survey=survey,
        title="Forår 2027",
        opens_at=opens,
        closes_at=opens + datetime.timedelta(days=14),
    )

    assert problems(future, csv(HEADER, BRANCH)) == [
        f"The round opens on {day(opens)}. Responses can be imported into it once it has opened."
    ]
    assert not Response.objects.exists()


# -- doing it once ------------------------------------------------------------------------------


def test_importing_the_same_file_again_creates_nothing(round, staff, odense_branch):
    content = csv(HEADER, ALICE, BRANCH)
    import_file(round, content)

    again = import_file(round, content)

    assert (again.created, again.unchanged) == (0, 2)
    assert again.units == ()
    assert Response.objects.count() == 2


def test_rows_without_a_key_are_recognised_by_their_content(round):
    content = csv(
        "s-1;s-2;time-1;frequency",
        "1;1;1;weekly",
        "2;2;2;monthly",
        # Two people who answered alike are two responses, not one.
        "1;1;1;weekly",
    )
    first = import_file(round, content)
    keys = set(Response.objects.values_list("import_key", flat=True))

    again = import_file(round, content)

    assert (first.created, again.created, again.unchanged) == (3, 0, 3)
    assert len(keys) == 3
    assert all(key.startswith("sha256:") for key in keys)


def test_a_later_file_adds_only_its_new_rows(round, staff, odense_branch):
    import_file(round, csv(HEADER, BRANCH))

    result = import_file(round, csv(HEADER, BRANCH, ALICE))

    assert (result.created, result.unchanged) == (1, 1)


# -- invitations --------------------------------------------------------------------------------


def test_a_person_without_an_invitation_gets_one_marked_as_answered(round, staff):
    import_file(round, csv(HEADER, ALICE))

    invitation = Invitation.objects.get(round=round, person=staff)
    response = Response.objects.get()
    assert invitation.sent_at is None
    assert invitation.responded_at == response.submitted_at
    assert response.invitation == invitation


def test_an_existing_invitation_is_marked_as_answered_and_its_draft_cleared(invitation, staff):
    services.save_answers(invitation=invitation, answers={"s-1": 0})

    import_file(invitation.round, csv(HEADER, ALICE))

    invitation.refresh_from_db()
    assert invitation.responded_at is not None
    assert invitation.draft == {}
    assert Response.objects.get().invitation == invitation
    assert Invitation.objects.filter(person=staff).count() == 1


def test_someone_who_already_answered_is_refused(invitation, staff):
    answered = datetime.datetime(2026, 3, 5, 10, 0, tzinfo=datetime.UTC)
    Invitation.objects.filter(pk=invitation.pk).update(responded_at=answered)

    assert problems(invitation.round, csv(HEADER, ALICE)) == [
        "row 2, email: alice@odense.example already answered on March 5, 2026."
    ]
    assert not Response.objects.exists()


def test_an_anonymous_round_keeps_no_link_but_records_that_the_person_answered(
    survey, odense, staff, odense_main
):
    anonymous = open_round(survey, municipalities=[odense], anonymity=AnonymityMode.ANONYMOUS)

    import_file(anonymous, csv(HEADER, ALICE))

    response = Response.objects.get()
    assert (response.person, response.invitation) == (None, None)
    assert (response.library, response.job_role) == (odense_main, JobRole.LIBRARIAN)
    assert Invitation.objects.get(round=anonymous, person=staff).responded_at is not None


# -- problems -----------------------------------------------------------------------------------


def test_each_problem_names_the_row_the_column_and_the_reason(round, staff, odense_main):
    content = csv(
        HEADER,
        ALICE,
        "r2;;;;1;1;1;sometimes;;ereolen;;",
        "r3;;;;7;1;1;weekly;;;;",
        "r4;;;;1;1;;weekly;;;;",
        "r5;nobody@odense.example;999999-01;Chef;1;1;1;weekly;;;many;",
        "r6;ALICE@odense.example;;;1;1;1;weekly;;books;2,5;",
        "r2;;;;1;1;1;weekly;;;101;",
    )

    assert problems(round, content) == [
        "row 3, frequency: “sometimes” is not one of the options (never, monthly, weekly).",
        "row 4, s-1: 7 is not on the scale (0–2).",
        "row 5, time-1: This question is required.",
        "row 6, hours: “many” is not a number.",
        "row 6, email: No one with the e-mail address nobody@odense.example is registered.",
        "row 6, library: There is no library with the code 999999-01.",
        "row 6, job_role: Unknown job role “Chef”. Use one of: "
        + ", ".join(str(role.label) for role in JobRole)
        + ".",
        "row 7, resources: “books” is not one of the options (ereolen, filmstriben, none).",
        "row 7, hours: “2,5” is not a whole number.",
        "row 7, email: The e-mail address ALICE@odense.example is in both row 2 and row 7.",
        "row 8, respondent: The respondent key r2 is in both row 3 and row 8.",
        "row 8, hours: The largest answer is 100.",
    ]


def test_one_bad_row_keeps_every_row_out(round, staff, odense_branch):
    content = csv(HEADER, ALICE, BRANCH, "r3;;;;3;1;1;weekly;;;;")

    assert problems(round, content) == ["row 4, s-1: 3 is not on the scale (0–2)."]
    assert not Response.objects.exists()
    assert not Invitation.objects.exists()


def test_a_required_question_asked_only_after_an_answer_is_checked_when_asked(round, monkeypatch):
    # Make the conditional "why-not" required: the file has no column for it at all.
    why_not = round.survey.items.get(code="why-not")
    why_not.required = True
    why_not.save()
    content = csv("s-1;s-2;time-1;frequency", "1;1;1;weekly", "1;1;1;never")

    assert problems(round, content) == ["row 3, why-not: This question is required."]


# -- the file -----------------------------------------------------------------------------------


def test_a_file_of_another_kind_is_refused(round):
    assert problems(round, b"%PDF-1.7", filename="answers.pdf") == [
        "Upload the responses as a CSV file (.csv) or an Excel file (.xlsx)."
    ]


def test_a_file_over_the_size_limit_is_refused(round, settings):
    settings.IMPORT_MAX_BYTES = 100
    content = csv(HEADER, ALICE)
    assert len(content) == 156

    assert problems(round, content) == [
        "The file is 156\xa0bytes; the largest file you can import is 100\xa0bytes."
    ]


def test_a_file_with_too_many_rows_is_refused(round, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 2)

    assert problems(round, csv("s-1", "1", "", "2", "0")) == [
        "The file has more than 2 responses. Split it into smaller files."
    ]


def test_a_file_without_rows_is_refused(round):
    assert problems(round, csv(HEADER, ";;;", "")) == [
        "The file has a header row but no responses below it."
    ]


def test_a_file_that_is_not_a_workbook_is_refused(round):
    assert problems(round, b"not a zip", filename="answers.xlsx") == [
        "The file could not be read as an Excel workbook (.xlsx)."
    ]


# -- mapping ------------------------------------------------------------------------------------


def test_columns_are_matched_by_item_code_and_question_text(survey):
    headers = [
        "Svar-ID",
        "E-mail",
        "Bibliotek",
        "Stilling",
        "S-1",
        "  Jeg har ikke  tid til at lære nyt. ",
        "how often do you disseminate?",
        "Anything else",
    ]

    assert automatic_choices(headers, services.items_of(survey)) == {
        0: "respondent",
        1: "email",
        2: "library",
        3: "job_role",
        4: "item:s-1",
        5: "item:time-1",
        6: "item:frequency",
        7: "",
    }


def test_a_mapping_file_overrides_the_automatic_mapping(survey):
    items = services.items_of(survey)
    headers = ["Q1", "Who", "s-2", "comment", "time-1", "frequency"]
    data = {"q1": "s-1", "Who": "email", "comment": None}

    choices = choices_from_json(headers, items, data)

    assert choices == {
        0: "item:s-1",
        1: "email",
        2: "item:s-2",
        3: "",
        4: "item:time-1",
        5: "item:frequency",
    }
    mapping = make_mapping(headers, items, choices)
    assert mapping.identity == {"email": 1}
    assert mapping.ignored == ["comment"]


def test_a_mapping_file_naming_what_is_not_there_is_refused(survey):
    items = services.items_of(survey)
    data = json.loads('{"Q9": "s-1", "s-1": "s-99", "s-2": 3}')

    with pytest.raises(ImportRejected) as info:
        choices_from_json(["s-1", "s-2"], items, data)

    assert info.value.file_errors == [
        "The mapping names the column “Q9”, which is not in the file.",
        "The mapping maps “s-1” to “s-99”, which is neither an item code of the survey nor "
        "one of respondent, email, library, job_role.",
        "The mapping of “s-2” must be a text or null.",
    ]


def test_a_mapping_must_give_each_question_one_column_and_cover_the_required_ones(survey):
    items = services.items_of(survey)
    headers = ["A", "B", "C", "D"]
    choices = {0: "item:s-1", 1: "item:s-1", 2: "email", 3: "email"}

    with pytest.raises(ImportRejected) as info:
        make_mapping(headers, items, choices)

    assert info.value.file_errors == [
        "Two columns are mapped to s-1: “A” and “B”.",
        "Two columns are mapped to E-mail address: “C” and “D”.",
        "No column is mapped to the required question s-2 (“Guidance”).",
        "No column is mapped to the required question time-1 "
        "(“I have no time to learn new things.”).",
        "No column is mapped to the required question frequency (“How often do you disseminate?”).",
    ]


def test_a_mapping_without_any_question_is_refused(survey):
    with pytest.raises(ImportRejected) as info:
        make_mapping(["email"], services.items_of(survey), {0: "email"})

    assert info.value.file_errors[0] == "No column is mapped to a question of the survey."
