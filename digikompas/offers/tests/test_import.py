"""services.import_offers and services.export_offers: what a catalogue file creates, updates and
refuses, and that an export imports back to the same catalogue."""

import io

import pytest
from openpyxl import Workbook

from digikompas.offers import services
from digikompas.offers.importing import COLUMNS, ImportRejected, RowError
from digikompas.offers.models import EducationOffer, OfferCompetency, Provider

HEADER = (
    "provider,provider_kind,title_da,title_en,kind,format,ects,hours,price_dkk,language,"
    "online,place,target_roles,start_dates,link,competencies"
)
GOOD = (
    'Komponent,other,Digital formidling,Digital dissemination,continuing,course,"7,5",20,4500,'
    'da,no,Odense,"librarian, Biblioteksassistent","2026-09-01, 2026-02-01",'
    'https://www.komponent.dk,"D3.1:3; D2.2:2"'
)
WEBINAR = (
    "Infomedia,vendor,Søgning i Infomedia,,continuing,webinar,,1,0,da,yes,,digital_guide,,,D2.1:2"
)


def csv_bytes(*rows, header=HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode()


def import_csv(*rows, header=HEADER):
    return services.import_offers(content=csv_bytes(*rows, header=header), filename="offers.csv")


def snapshot():
    offers = list(EducationOffer.objects.order_by("pk").values())
    links = sorted(
        OfferCompetency.objects.values_list("offer_id", "competency_id", "level_reached")
    )
    return offers, links, list(Provider.objects.order_by("pk").values())


def test_it_creates_offers_providers_and_competencies(default_framework):
    result = import_csv(GOOD, WEBINAR)
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    offer = EducationOffer.objects.get(title_da="Digital formidling")
    assert offer.provider.kind == "other"
    assert str(offer.ects) == "7.5"
    assert (offer.hours, offer.price_dkk, offer.place, offer.online) == (20, 4500, "Odense", False)
    assert offer.target_roles == ["librarian", "library_assistant"]
    assert offer.start_dates == ["2026-02-01", "2026-09-01"]
    assert {(c.competency.code, c.level_reached) for c in offer.competencies.all()} == {
        ("D3.1", 3),
        ("D2.2", 2),
    }
    assert offer.competencies.first().competency.framework == default_framework
    webinar = EducationOffer.objects.get(title_da="Søgning i Infomedia")
    assert (webinar.online, webinar.place, webinar.ects) == (True, "", None)


def test_importing_the_same_file_again_changes_nothing(default_framework):
    import_csv(GOOD, WEBINAR)
    before = snapshot()
    result = import_csv(GOOD, WEBINAR)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert snapshot() == before


def test_it_updates_an_offer_matched_on_provider_and_danish_title(default_framework):
    import_csv(GOOD)
    result = import_csv(GOOD.replace("komponent".title(), "KOMPONENT").replace("D3.1:3", "D3.1:4"))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    offer = EducationOffer.objects.get()
    assert offer.provider.name == "Komponent"
    assert {(c.competency.code, c.level_reached) for c in offer.competencies.all()} == {
        ("D3.1", 4),
        ("D2.2", 2),
    }


def test_it_reads_danish_headers_and_names_with_semicolons(default_framework):
    header = "udbyder;titel_da;type;form;sprog;onlineforløb;sted;målgrupper;kompetencer"
    row = "Komponent;Lederkursus;Efteruddannelse;Kursus;Dansk;nej;Aarhus;Biblioteksleder;D6.1:3"
    result = services.import_offers(content=f"{header}\n{row}\n".encode(), filename="udbud.csv")
    assert result.created == 1
    offer = EducationOffer.objects.get()
    assert (offer.kind, offer.format, offer.language) == ("continuing", "course", "da")
    assert offer.target_roles == ["library_leader"]


def test_it_reports_every_bad_cell_and_writes_nothing(default_framework):
    import_csv(WEBINAR)
    before = snapshot()
    bad = [
        GOOD.replace(",continuing,", ",sometimes,").replace('"7,5"', "lots"),
        GOOD.replace("Digital formidling", "Andet").replace("2026-02-01", "1/2/2026"),
        GOOD.replace("Digital formidling", "Tredje").replace("D3.1:3", "D9.9:3"),
        GOOD.replace("Digital formidling", "Fjerde").replace("D3.1:3", "D3.1:7"),
        GOOD.replace("Digital formidling", "Femte").replace("Biblioteksassistent", "Wizard"),
        GOOD.replace("Digital formidling", "Sjette").replace(",no,Odense,", ",no,,"),
        GOOD.replace("Digital formidling", "Syvende").replace("https://www.komponent.dk", "www"),
        GOOD,
        GOOD.replace("Komponent,", ",", 1),
    ]
    with pytest.raises(ImportRejected) as rejected:
        import_csv(*bad)
    roles = (
        "Librarian, Library assistant, Communicator or other academic, Digital guide, "
        "Student assistant, Library leader, Head of libraries, Other"
    )
    framework = str(default_framework)
    assert rejected.value.errors == [
        RowError(2, "kind", "Unknown value “sometimes”. Use one of: basic, further, continuing."),
        RowError(2, "ects", "“lots” is not a number of ECTS points, for example 7.5."),
        RowError(3, "start_dates", "“1/2/2026” is not a date written as YYYY-MM-DD."),
        RowError(4, "competencies", f"There is no competency D9.9 in {framework}."),
        RowError(5, "competencies", "The level of D3.1 must be a whole number from 0 to 4."),
        RowError(6, "target_roles", f"Unknown job role “Wizard”. Use one of: {roles}."),
        RowError(7, "place", "Give the place of the offer or mark it as online."),
        RowError(8, "link", "“www” is not a web address (https://…)."),
        RowError(9, "title_da", "Row 2 has an offer with the same provider and title."),
        RowError(10, "provider", "The provider is missing."),
    ]
    assert rejected.value.file_errors == []
    assert snapshot() == before


def test_it_names_missing_columns(default_framework):
    with pytest.raises(ImportRejected) as rejected:
        import_csv(header="provider,title_da")
    assert rejected.value.file_errors == [
        "The first row must name the columns. Missing: kind / type, format / form."
    ]


def test_it_refuses_a_file_of_another_type(default_framework):
    with pytest.raises(ImportRejected) as rejected:
        services.import_offers(content=b"x", filename="offers.pdf")
    assert rejected.value.file_errors == [
        "Upload the offer catalogue as a CSV file (.csv) or an Excel file (.xlsx)."
    ]


def test_it_needs_the_default_framework(db):
    with pytest.raises(services.DefaultFrameworkMissing):
        import_csv(GOOD)


def test_it_reads_a_workbook_with_a_date_cell(default_framework):
    import datetime

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["provider", "title_da", "kind", "format", "online", "start_dates"])
    sheet.append(["DB", "Webinar", "continuing", "webinar", "yes", datetime.datetime(2026, 3, 5)])
    out = io.BytesIO()
    workbook.save(out)
    services.import_offers(content=out.getvalue(), filename="offers.xlsx")
    assert EducationOffer.objects.get().start_dates == ["2026-03-05"]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_imports_back_to_the_same_catalogue(default_framework, file_format):
    services.load_default_offers()
    import_csv(GOOD, WEBINAR)
    before = snapshot()
    data, filename, _type = services.export_offers(file_format=file_format)
    assert filename == f"offers.{file_format}"
    result = services.import_offers(content=data, filename=filename)
    assert (result.created, result.updated) == (0, 0)
    # The default catalogue has a webinar of the same title, so WEBINAR updated it.
    assert result.unchanged == EducationOffer.objects.count() == len(before[0]) == 21
    assert snapshot() == before

    # And into an empty catalogue it recreates the same offers.
    EducationOffer.objects.all().delete()
    Provider.objects.all().delete()
    services.import_offers(content=data, filename=filename)
    offers, links, _providers = snapshot()
    strip = lambda rows: sorted(  # noqa: E731
        tuple((k, v) for k, v in row.items() if k not in ("id", "provider_id")) for row in rows
    )
    assert strip(offers) == strip(before[0])
    assert len(links) == len(before[1])


# -- an import limited to a provider's own offers ------------------------------------------------


def test_a_limited_import_refuses_the_rows_of_other_providers(default_framework):
    import_csv(GOOD, WEBINAR)
    before = snapshot()
    with pytest.raises(ImportRejected) as rejected:
        services.import_offers(
            content=csv_bytes(
                GOOD.replace("D3.1:3", "D3.1:4"),
                WEBINAR,
                GOOD.replace("Komponent", "Nyt Firma").replace("2026-02-01", "1/2/2026"),
            ),
            filename="offers.csv",
            allowed_providers={"komponent"},
        )
    # With the other problems of the file, in row order; nothing written, not even row 2.
    assert rejected.value.errors == [
        RowError(3, "provider", "You do not maintain the provider “Infomedia”."),
        RowError(4, "provider", "You do not maintain the provider “Nyt Firma”."),
        RowError(4, "start_dates", "“1/2/2026” is not a date written as YYYY-MM-DD."),
    ]
    assert snapshot() == before


def test_a_limited_import_names_the_provider_column_as_the_file_does(default_framework):
    header = "udbyder;titel_da;type;form;onlineforløb"
    with pytest.raises(ImportRejected) as rejected:
        services.import_offers(
            content=f"{header}\nDB;Kursus;efteruddannelse;kursus;ja\n".encode(),
            filename="udbud.csv",
            allowed_providers={"komponent"},
        )
    assert rejected.value.errors == [
        RowError(2, "udbyder", "You do not maintain the provider “DB”.")
    ]


def test_a_limited_import_changes_the_providers_own_offers_but_not_its_kind(default_framework):
    import_csv(GOOD, WEBINAR)
    result = services.import_offers(
        content=csv_bytes(GOOD.replace("D3.1:3", "D3.1:4")),
        filename="offers.csv",
        allowed_providers={"komponent"},
    )
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    with pytest.raises(ImportRejected) as rejected:
        services.import_offers(
            content=csv_bytes(GOOD.replace("Komponent,other,", "Komponent,vendor,")),
            filename="offers.csv",
            allowed_providers={"komponent"},
        )
    assert rejected.value.errors == [
        RowError(2, "provider_kind", "Only analysts can change the kind of a provider.")
    ]
    assert Provider.objects.get(name="Komponent").kind == "other"


def test_an_export_of_some_offers(default_framework):
    import_csv(GOOD, WEBINAR)
    data, _name, _type = services.export_offers(
        file_format="csv", offers=EducationOffer.objects.filter(provider__name="Infomedia")
    )
    rows = data.decode("utf-8-sig").splitlines()
    assert len(rows) == 2
    assert rows[1].startswith("Infomedia,vendor,Søgning i Infomedia,")
    data, _name, _type = services.export_offers(file_format="csv", offers=[])
    assert data.decode("utf-8-sig").splitlines() == [",".join(COLUMNS)]
