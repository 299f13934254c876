"""The leadership demo, on the national demo cut down to a dozen municipalities (surveys'
fixtures): usage of plausible size and shape, licences in every pricing model, a collaboration
whose invoices split to the øre, a dissemination plan with something to do this week, and a
strategy; loaded once and then left alone."""

import datetime
from collections import defaultdict
from datetime import UTC
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db.models import Sum

from digikompas.leadership import demo, plan, pricing, strategy
from digikompas.leadership.models import (
    Activity,
    Campaign,
    Collaboration,
    DigitalResource,
    Indicator,
    InvoiceShare,
    Licence,
    PricingModel,
    RenewalDecision,
    SelectionScenario,
    Status,
    StrategyGoal,
    UsageImport,
    UsageNote,
    UsageRecord,
)
from digikompas.orgs import demo as orgs_demo
from digikompas.orgs.access import actor_for
from digikompas.orgs.models import Municipality, Person
from digikompas.surveys.tests.test_demo import people, rounds  # noqa: F401 (fixtures)

# A Friday, a few days after the survey demo's rounds were loaded (surveys' TODAY, 25 November).
TODAY = datetime.datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def load_leadership_demo(*args, when=TODAY) -> str:
    out = StringIO()
    with time_machine.travel(when, tick=False):
        call_command("load_leadership_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        "usage": sorted(
            UsageRecord.objects.values_list(
                "resource__name",
                "municipality__code",
                "month",
                "metric",
                "count",
                "restated_from",
                "source__file_name",
            )
        ),
        "imports": sorted(
            UsageImport.objects.values_list(
                "municipality__code", "file_name", "first_month", "last_month", "records"
            )
        ),
        "licences": sorted(
            Licence.objects.values_list(
                "resource__name",
                "municipality__code",
                "collaboration__name",
                "starts_on",
                "pricing_model",
                "monthly_quota",
            ),
            key=str,
        ),
        "shares": sorted(
            InvoiceShare.objects.values_list(
                "invoice__reference", "municipality__code", "amount", "basis"
            )
        ),
        "activities": sorted(
            Activity.objects.values_list("campaign__title", "title", "due_on", "status")
        ),
        "goals": sorted(Indicator.objects.values_list("goal__title", "name", "baseline", "target")),
    }


def test_it_refuses_to_load_without_the_national_demo(reference_data):
    with pytest.raises(CommandError) as raised:
        load_leadership_demo()
    assert str(raised.value) == (
        "The leadership demo needs the national demo of libraries and people; run load_demo first."
    )
    assert not UsageRecord.objects.exists()
    assert not Licence.objects.exists()


@pytest.fixture
def loaded(rounds):  # noqa: F811
    out = load_leadership_demo()
    return out


def test_it_loads_once_and_again_changes_nothing(loaded):
    created = int(loaded.split(" created")[0])
    assert loaded.strip() == f"{created} created, 0 updated, 0 unchanged."
    first = snapshot()
    assert load_leadership_demo().strip() == f"0 created, 0 updated, {created} unchanged."
    assert snapshot() == first
    # The same seed from scratch gives the same figures.
    UsageRecord.objects.all().delete()
    load_leadership_demo()
    assert snapshot()["usage"] == first["usage"]


def per_inhabitant_a_year(resource: str, metric: str) -> dict[Municipality, float]:
    """Uses per inhabitant in the last twelve months of the demo, by municipality."""
    last = datetime.date(2026, 10, 1)
    first = datetime.date(2025, 11, 1)
    rows = (
        UsageRecord.objects.filter(
            resource__name=resource, metric=metric, month__range=(first, last)
        )
        .values("municipality")
        .annotate(total=Sum("count"))
    )
    by_pk = {m.pk: m for m in Municipality.objects.all()}
    result = {}
    for row in rows:
        municipality = by_pk[row["municipality"]]
        result[municipality] = row["total"] / municipality.population
    return result


def test_usage_is_of_a_plausible_size_and_shape(loaded):
    municipalities = demo.demo_municipalities()
    assert len(municipalities) == 12
    records = UsageRecord.objects.all()
    months = sorted(set(records.values_list("month", flat=True)))
    assert months[0] == datetime.date(2024, 11, 1)
    assert months[-1] == datetime.date(2026, 10, 1)
    assert len(months) == 24
    assert set(records.values_list("metric", flat=True)) == {
        "loans",
        "views",
        "articles",
        "Total_Item_Requests",
        "Unique_Title_Requests",
    }

    # eReolen: about 1.4 loans per inhabitant a year (8.2 million nationally); Filmstriben about
    # 0.3 views (1.7 million).
    ereolen = per_inhabitant_a_year("eReolen", "loans")
    assert set(ereolen) == set(municipalities)
    assert all(0.9 <= value <= 2.3 for value in ereolen.values()), ereolen
    population = sum(m.population for m in ereolen)
    national = sum(value * m.population for m, value in ereolen.items()) / population
    assert 1.2 <= national <= 1.9
    film = per_inhabitant_a_year("Filmstriben", "views")
    assert all(0.15 <= value <= 0.6 for value in film.values()), film
    # Municipalities differ.
    assert max(ereolen.values()) / min(ereolen.values()) > 1.3

    # Seasons: eReolen peaks in July, Filmstriben in the winter holidays, Infomedia is quiet in
    # the summer; unique title requests never exceed total item requests.
    def national_month(resource, metric, month):
        return UsageRecord.objects.filter(
            resource__name=resource, metric=metric, month=month
        ).aggregate(total=Sum("count"))["total"]

    july, may = datetime.date(2026, 7, 1), datetime.date(2026, 5, 1)
    assert national_month("eReolen", "loans", july) > 1.15 * national_month("eReolen", "loans", may)
    february = datetime.date(2026, 2, 1)
    assert national_month("Filmstriben", "views", february) > 1.3 * national_month(
        "Filmstriben", "views", may
    )
    assert national_month("Infomedia", "Total_Item_Requests", july) < 0.5 * national_month(
        "Infomedia", "Total_Item_Requests", may
    )
    totals = {
        (r.resource_id, r.municipality_id, r.month): r.count
        for r in records.filter(metric="Total_Item_Requests")
    }
    for r in records.filter(metric="Unique_Title_Requests"):
        assert r.count <= totals[r.resource_id, r.municipality_id, r.month]
    # eReolen grows: the last twelve months above the twelve before.
    year_before = UsageRecord.objects.filter(
        resource__name="eReolen", month__lt=datetime.date(2025, 11, 1)
    ).aggregate(total=Sum("count"))["total"]
    assert sum(v * m.population for m, v in ereolen.items()) > year_before


def test_usage_has_a_gap_a_restatement_and_a_quota_note(loaded):
    svendborg = Municipality.objects.get(code=479)
    film = UsageRecord.objects.filter(resource__name="Filmstriben", municipality=svendborg)
    assert film.count() == 23
    assert not film.filter(month=datetime.date(2026, 6, 1)).exists()

    odense = Municipality.objects.get(code=orgs_demo.ODENSE)
    restated = UsageRecord.objects.filter(restated_from__isnull=False)
    assert set(restated.values_list("resource__name", "municipality", "month", "metric")) == {
        ("Infomedia", odense.pk, datetime.date(2026, 4, 1), "Total_Item_Requests"),
        ("Infomedia", odense.pk, datetime.date(2026, 4, 1), "Unique_Title_Requests"),
    }
    for record in restated.select_related("source"):
        assert record.restated_from < record.count
        assert record.source.file_name == "demo-infomedia-461-rettelse.csv"
        assert record.source.replaced == 2

    # Every figure came from a demo import of its municipality, the month range stated; the
    # correction replaced two of the figures the first import stored.
    assert not UsageRecord.objects.filter(source__isnull=True).exists()
    imports = UsageImport.objects.all()
    for usage_import in imports:
        assert usage_import.file_name.startswith(demo.DEMO_FILE_PREFIX)
        assert usage_import.report in ("monthly counts", "COUNTER 5.1 PR")
        assert not usage_import.usage.exclude(
            month__range=(usage_import.first_month, usage_import.last_month)
        ).exists()
    stored = sum(i.records for i in imports) - sum(i.replaced for i in imports)
    assert stored == UsageRecord.objects.count()

    # Odense raised its eReolen quota in January: a note, and the loans jumped against the
    # other municipalities.
    note = UsageNote.objects.get(resource__name="eReolen", municipality=odense)
    assert note.kind == UsageNote.Kind.QUOTA
    assert note.month == datetime.date(2026, 1, 1)

    def share(month):
        loans = UsageRecord.objects.filter(resource__name="eReolen", month=month)
        return loans.get(municipality=odense).count / loans.aggregate(t=Sum("count"))["t"]

    assert share(datetime.date(2026, 1, 1)) > 1.1 * share(datetime.date(2025, 1, 1))


def test_licences_come_in_every_pricing_model_and_price(loaded):
    odense = Municipality.objects.get(code=orgs_demo.ODENSE)
    licences = Licence.objects.filter(municipality=odense).select_related("resource")
    assert {lic.pricing_model for lic in licences} == set(PricingModel.values)
    assert all(lic.is_example for lic in Licence.objects.all())
    current = {
        lic.resource.name: lic
        for lic in licences
        if lic.starts_on <= datetime.date(2026, 11, 27) <= lic.ends_on
    }
    assert current["eReolen"].monthly_quota == 5
    assert current["Filmstriben"].monthly_quota == 4
    last_year = licences.get(resource__name="eReolen", starts_on=datetime.date(2025, 1, 1))
    assert last_year.monthly_quota == 3
    articles = current["Digital Artikelservice"]
    assert (articles.starts_on, articles.ends_on) == (
        datetime.date(2026, 11, 1),
        datetime.date(2027, 10, 31),
    )
    assert current["Filmstriben"].renewal_decision == RenewalDecision.RENEGOTIATE
    assert current["Filmstriben"].renewal_reason
    # Every licence prices without an error; per-loan prices follow the loans.
    with time_machine.travel(TODAY, tick=False):
        for licence in Licence.objects.all():
            cost = pricing.licence_cost(licence)
            assert cost.amount >= 0, licence
    loans = UsageRecord.objects.filter(
        resource__name="eReolen", municipality=odense, month__year=2025
    ).aggregate(t=Sum("count"))["t"]
    assert pricing.licence_cost(last_year).amount == loans * last_year.price_per_loan
    # Infomedia: Odense's 204,895 inhabitants in the band from 150,000 at 0.28 kr.
    infomedia = licences.get(resource__name="Infomedia", starts_on=datetime.date(2025, 1, 1))
    assert "0.28" in str(pricing.licence_cost(infomedia).explanation).replace(",", ".")


def test_the_collaboration_has_members_over_time_and_split_invoices(loaded):
    collaboration = Collaboration.objects.get(name=demo.COLLABORATION)
    assert collaboration.coordinator.code == orgs_demo.ODENSE
    assert collaboration.split_rule == Collaboration.SplitRule.POPULATION
    # Of the Funen municipalities only Odense and Svendborg are in the cut-down demo.
    members = {m.municipality.code: m for m in collaboration.memberships.all()}
    assert set(members) == {461, 479}
    assert members[461].joined_on == datetime.date(2025, 1, 1)
    assert members[479].joined_on == datetime.date(2025, 8, 15)
    licence = collaboration.licences.get(starts_on=datetime.date(2025, 1, 1))
    invoices = {i.reference: i for i in licence.invoices.all()}
    assert set(invoices) == {"FBR-2025-1", "FBR-2025-2"}
    for invoice in Collaboration.objects.get().licences.all()[0].invoices.all():
        shares = list(invoice.shares.all())
        assert sum(s.amount for s in shares) == invoice.amount
    first = {s.municipality.code: s.amount for s in invoices["FBR-2025-1"].shares.all()}
    assert first == {461: invoices["FBR-2025-1"].amount}
    second = {s.municipality.code: s for s in invoices["FBR-2025-2"].shares.all()}
    assert set(second) == {461, 479}
    assert "pro rata" in second[479].basis
    # Every invoice of the collaboration, this year's too, is split to the øre.
    all_shares = InvoiceShare.objects.filter(invoice__licence__collaboration=collaboration)
    by_invoice = defaultdict(list)
    for share in all_shares.select_related("invoice"):
        by_invoice[share.invoice].append(share.amount)
    assert len(by_invoice) == 4
    for invoice, amounts in by_invoice.items():
        assert sum(amounts) == invoice.amount
    # The members use Britannica.
    assert (
        UsageRecord.objects.filter(resource__name="Britannica", municipality__code__in=[461, 479])
        .values("municipality")
        .distinct()
        .count()
        == 2
    )


def test_the_staff_member_has_activities_this_week(loaded):
    staff = Person.objects.get(email=orgs_demo.STAFF_LOGIN.email)
    today = TODAY.date()
    week = plan.week(actor_for(staff.user), monday=today, today=today)
    assert week.current
    assert len(week.due) >= 3
    assert {a.status for a in week.due} >= {Status.DONE, Status.ACTIVE, Status.PLANNED}
    assert any(a.owner == staff for a in week.due)
    assert all(a.campaign.library == staff.library for a in week.due)


def test_the_plan_runs_over_the_year_and_the_seniors_campaign_shows_an_effect(loaded):
    campaigns = Campaign.objects.filter(municipality__code=orgs_demo.ODENSE)
    assert all(c.is_example for c in campaigns)
    assert {c.status for c in campaigns} == set(Status.values)
    this_year = campaigns.filter(starts_on__year=2026)
    assert {c.starts_on.month for c in this_year} == {1, 3, 6, 9, 11, 12}
    assert campaigns.filter(starts_on__gt=TODAY.date(), status=Status.PLANNED).exists()
    assert (
        not Activity.objects.filter(due_on__gt=TODAY.date())
        .exclude(status__in=(Status.PLANNED, Status.CANCELLED))
        .exists()
    )

    seniors = campaigns.get(title="eReolen for seniorer", starts_on__year=2026)
    assert (seniors.starts_on, seniors.ends_on) == (
        datetime.date(2026, 9, 1),
        datetime.date(2026, 9, 30),
    )
    effect = plan.campaign_effect(seniors, today=TODAY.date())
    assert effect.metric == "loans"
    assert not effect.after_pending
    assert not effect.missing
    assert effect.peers >= plan.COMPARABLE_MINIMUM
    during = next(e for e in effect.estimates if e.period == "during")
    assert during.relative > 0.08
    assert effect.seasonal > 8


def test_the_strategy_and_the_scenario(loaded):
    goals = StrategyGoal.objects.filter(municipality__code=orgs_demo.ODENSE)
    assert goals.count() == 3
    indicators = Indicator.objects.filter(goal__in=goals)
    measured = indicators.exclude(usage_metric="")
    manual = indicators.filter(usage_metric="")
    assert measured.count() == 2
    assert {i.usage_metric for i in measured} == {"loans", "Total_Item_Requests"}
    for indicator in measured:
        assert indicator.target > indicator.baseline > 0
        assert indicator.resources.exists()
    # Odense's eReolen loans are on their way to the target; Infomedia fell behind.
    loans = strategy.progress(measured.get(usage_metric="loans"), today=TODAY.date())
    assert 0.5 < loans.fraction < 1
    assert not loans.missing
    articles = strategy.progress(
        measured.get(usage_metric="Total_Item_Requests"), today=TODAY.date()
    )
    assert articles.raw < 0.5
    assert manual.get().measurements.count() >= 8
    for indicator in indicators:
        assert indicator.campaigns.exists()
        assert indicator.competencies.exists()
    assert set(indicators.values_list("competencies__framework__identifier", flat=True)) == {
        indicators[0].competencies.first().framework.identifier
    }
    scenario = SelectionScenario.objects.get(municipality__code=orgs_demo.ODENSE)
    assert scenario.weights["cost_per_use"] == 6
    assert scenario.created_by.email == orgs_demo.MUNICIPAL_LEADER_LOGIN.email
    assert DigitalResource.objects.filter(name="Britannica").exists()


def test_a_month_later_it_adds_the_new_month_and_moves_the_plan(loaded):
    later = datetime.datetime(2027, 1, 12, 9, 0, tzinfo=UTC)
    out = load_leadership_demo(when=later)
    assert "0 updated" not in out
    months = set(UsageRecord.objects.values_list("month", flat=True))
    assert datetime.date(2026, 12, 1) in months
    staff = Person.objects.get(email=orgs_demo.STAFF_LOGIN.email)
    week = plan.week(actor_for(staff.user), monday=later.date(), today=later.date())
    assert len(week.due) >= 3
    again = load_leadership_demo(when=later)
    assert again.startswith("0 created, 0 updated, ")
