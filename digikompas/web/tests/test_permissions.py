"""Every URL of the site and the API, tried by every role (STYLE.md habit 12).

Each row names a URL and the status each member of the cast gets. A URL added to the project
without a row here makes test_every_url_is_in_the_table fail, so no page escapes the check.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from digikompas.accounts.models import User
from digikompas.analysis.models import Report, ReportKind
from digikompas.frameworks import services
from digikompas.frameworks.tests.conftest import make_content
from digikompas.leadership.models import (
    Activity,
    Campaign,
    Channel,
    Collaboration,
    DigitalResource,
    Indicator,
    Licence,
    Membership,
    PricingModel,
    ResourceType,
    StrategyGoal,
    SushiEndpoint,
)
from digikompas.offers.models import EducationOffer, OfferFormat, OfferKind, Provider
from digikompas.orgs.models import UserGroup
from digikompas.pilot.models import (
    CalendarFeed,
    Completion,
    Enrolment,
    EnrolmentStatus,
    ExperienceLog,
    Material,
    MaterialKind,
    Module,
    ModuleFormat,
    Programme,
    Session,
    WouldRepeat,
)
from digikompas.surveys import services as surveys
from digikompas.surveys.tests.conftest import COMPLETE, make_survey, open_round
from digikompas.testing import make_person

CAST = [
    "anonymous",
    "outsider",
    "staff",
    "library_leader",
    "branch_leader",
    "municipal_leader",
    "other_leader",
    "other_municipal_leader",
    "analyst",
    "coordinator",
    "provider",
    "administrator",
]


def expect(*statuses):
    """Statuses in the order of CAST."""
    return dict(zip(CAST, statuses, strict=True))


LOGIN = 302  # logged out: sent to the login page
EVERYONE = expect(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)
LOGGED_IN = expect(LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)
API_LOGGED_IN = expect(401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)
PEOPLE_MANAGERS = expect(LOGIN, 403, 403, 200, 200, 200, 200, 200, 403, 403, 403, 200)
ANALYSTS = expect(LOGIN, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403)
ANALYSTS_POST = expect(LOGIN, 403, 403, 403, 403, 403, 403, 403, 302, 403, 403, 403)

API_ANALYSTS = expect(401, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403)
# Leaders and analysts see surveys (leaders: only the rounds that reach their units).
SURVEY_READERS = expect(LOGIN, 403, 403, 200, 200, 200, 200, 200, 200, 403, 403, 403)
# Leaders of the units a round reaches, and analysts; others are refused, leaders elsewhere get 404.
ROUND_READERS = expect(LOGIN, 403, 403, 200, 404, 200, 404, 404, 200, 403, 403, 403)
API_ROUND_READERS = expect(401, 403, 403, 200, 404, 200, 404, 404, 200, 403, 403, 403)
# Answering is by personal link: the token is the credential, whoever holds it.
TOKEN_HOLDERS = EVERYONE
# Analysts curate every offer; the provider maintains its own provider's offers.
OFFER_EDITORS = expect(LOGIN, 403, 403, 403, 403, 403, 403, 403, 200, 403, 200, 403)
COVERAGE_READERS = expect(LOGIN, 403, 403, 403, 403, 403, 403, 403, 200, 200, 200, 403)
# Recommendations are for people: a login without a person has none.
PEOPLE = expect(LOGIN, 403, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)
# The pilot: coordinators run it; the session's facilitator (the provider) runs their session.
COORDINATORS = expect(LOGIN, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403)
RUNNERS = expect(LOGIN, 403, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403)
EFFECT_READERS = expect(LOGIN, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403)
API_EFFECT_READERS = expect(401, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403)
# Alice's own things: others are not told they exist.
ALICE_ONLY = expect(LOGIN, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404)
# Enrolments are seen by the person, leaders of their unit, the facilitator and coordinators.
ENROLMENT_SEERS = expect(LOGIN, 404, 302, 302, 404, 302, 404, 404, 404, 302, 302, 404)
API_ENROLMENT_SEERS = expect(401, 404, 200, 200, 404, 200, 404, 404, 404, 200, 200, 404)
# The leadership toolkit of Odense: its leaders and the analysts read it; leaders elsewhere get
# 404; its municipal leader changes it.
ODENSE_READERS = expect(LOGIN, 403, 403, 200, 200, 200, 404, 404, 200, 403, 403, 403)
ODENSE_MANAGER = expect(LOGIN, 403, 403, 403, 403, 200, 404, 404, 403, 403, 403, 403)
# The plan is read by Odense's staff too; its campaigns are changed by its leaders.
PLAN_READERS = expect(LOGIN, 403, 200, 200, 200, 200, 404, 404, 200, 403, 403, 403)
CAMPAIGN_EDITORS = expect(LOGIN, 403, 403, 200, 403, 200, 404, 404, 403, 403, 403, 403)
LEADERS_ONLY = expect(LOGIN, 403, 403, 200, 200, 200, 200, 200, 403, 403, 403, 403)

# (url name, kwargs builder, method, expected statuses). Objects: the Odense main library, Alice
# (staff there), Nina (staff there without a login yet), a published framework and a draft of
# its next version (with its first domain, competency and target profile), a survey and an open
# round of it for the Odense main library, and Alice's invitation to it; an education offer of the
# provider's own provider and one of another provider.
TABLE = [
    ("home", None, "get", EVERYONE),
    ("account_settings", None, "get", LOGGED_IN),
    ("accounts:api_key", None, "get", LOGGED_IN),
    ("accounts:accept_invitation", lambda c: {"token": "forged"}, "get",
     expect(400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400)),
    ("accounts:invite_person", lambda c: {"pk": c["nina"].pk}, "post",
     expect(LOGIN, 403, 403, 302, 404, 302, 404, 404, 403, 403, 403, 302)),
    ("orgs:municipality_list", None, "get", LOGGED_IN),
    ("orgs:municipality_detail", lambda c: {"code": 461}, "get", LOGGED_IN),
    ("orgs:library_people", lambda c: {"pk": c["odense_main"].pk}, "get",
     expect(LOGIN, 403, 403, 200, 404, 200, 404, 404, 403, 403, 403, 200)),
    ("orgs:person_detail", lambda c: {"pk": c["staff"].pk}, "get",
     expect(LOGIN, 404, 200, 200, 404, 200, 404, 404, 404, 404, 404, 200)),
    ("orgs:import_people", None, "get", PEOPLE_MANAGERS),
    ("orgs:import_template", None, "get", PEOPLE_MANAGERS),
    ("frameworks:list", None, "get", LOGGED_IN),
    ("frameworks:compare", None, "get", LOGGED_IN),
    ("frameworks:import", None, "get", ANALYSTS),
    ("frameworks:detail", lambda c: {"pk": c["published"].pk}, "get", LOGGED_IN),
    ("frameworks:print", lambda c: {"pk": c["published"].pk}, "get", LOGGED_IN),
    ("frameworks:export", lambda c: {"pk": c["published"].pk, "file_format": "csv"}, "get",
     LOGGED_IN),
    ("frameworks:new_version", lambda c: {"pk": c["published"].pk}, "post", ANALYSTS_POST),
    ("frameworks:publish", lambda c: {"pk": c["draft"].pk}, "post", ANALYSTS_POST),
    ("frameworks:delete", lambda c: {"pk": c["draft"].pk}, "post", ANALYSTS_POST),
    ("frameworks:edit", lambda c: {"pk": c["draft"].pk}, "get", ANALYSTS),
    ("frameworks:scale", lambda c: {"pk": c["draft"].pk}, "get", ANALYSTS),
    ("frameworks:domain_new", lambda c: {"pk": c["draft"].pk}, "get", ANALYSTS),
    ("frameworks:domain_edit", lambda c: {"domain_pk": c["domain"].pk}, "get", ANALYSTS),
    ("frameworks:domain_delete", lambda c: {"domain_pk": c["domain"].pk}, "post",
     ANALYSTS_POST),
    ("frameworks:competency_new", lambda c: {"pk": c["draft"].pk}, "get", ANALYSTS),
    ("frameworks:competency_edit", lambda c: {"competency_pk": c["competency"].pk}, "get",
     ANALYSTS),
    ("frameworks:competency_delete", lambda c: {"competency_pk": c["competency"].pk}, "post",
     ANALYSTS_POST),
    ("frameworks:profile_new", lambda c: {"pk": c["draft"].pk}, "get", ANALYSTS),
    ("frameworks:profile_edit", lambda c: {"profile_pk": c["profile"].pk}, "get", ANALYSTS),
    ("frameworks:profile_delete", lambda c: {"profile_pk": c["profile"].pk}, "post",
     ANALYSTS_POST),
    ("surveys:answer", lambda c: {"token": c["invitation"].token}, "get", TOKEN_HOLDERS),
    ("surveys:answer_section", lambda c: {"token": c["invitation"].token, "number": 1}, "get",
     TOKEN_HOLDERS),
    ("surveys:answer_review", lambda c: {"token": c["invitation"].token}, "get", TOKEN_HOLDERS),
    # Not all required questions are answered: the review again, listing them.
    ("surveys:answer_submit", lambda c: {"token": c["invitation"].token}, "post",
     expect(400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400)),
    # Nothing submitted yet: sent to the start.
    ("surveys:answer_done", lambda c: {"token": c["invitation"].token}, "get",
     expect(302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302)),
    ("surveys:list", None, "get", SURVEY_READERS),
    ("surveys:survey_detail", lambda c: {"pk": c["survey"].pk}, "get", ANALYSTS),
    ("surveys:round_new", lambda c: {"pk": c["survey"].pk}, "get", ANALYSTS),
    ("surveys:round_detail", lambda c: {"pk": c["round"].pk}, "get", ROUND_READERS),
    ("surveys:round_invite", lambda c: {"pk": c["round"].pk}, "post", ANALYSTS_POST),
    ("surveys:round_remind", lambda c: {"pk": c["round"].pk}, "post", ANALYSTS_POST),
    ("surveys:import_responses", lambda c: {"pk": c["round"].pk}, "get", ANALYSTS),
    ("analysis:index", None, "get", SURVEY_READERS),
    # Leaders the round reaches are taken to the first unit they lead.
    ("analysis:results", lambda c: {"pk": c["answered_round"].pk}, "get",
     expect(LOGIN, 403, 403, 302, 404, 302, 404, 404, 200, 403, 403, 403)),
    ("analysis:unit_results",
     lambda c: {"pk": c["answered_round"].pk, "grouping": "library", "key": c["odense_main"].pk},
     "get", ROUND_READERS),
    ("analysis:report_new", lambda c: {"pk": c["answered_round"].pk}, "get", ROUND_READERS),
    ("analysis:report_detail", lambda c: {"pk": c["report"].pk}, "get", ROUND_READERS),
    ("analysis:report_download", lambda c: {"pk": c["report"].pk}, "get", ROUND_READERS),
    ("offers:catalogue", None, "get", LOGGED_IN),
    ("offers:offer_detail", lambda c: {"pk": c["other_offer"].pk}, "get", LOGGED_IN),
    ("offers:offer_create", None, "get", OFFER_EDITORS),
    ("offers:offer_edit", lambda c: {"pk": c["own_offer"].pk}, "get", OFFER_EDITORS),
    # Another provider's offer is not found by the provider.
    ("offers:offer_edit", lambda c: {"pk": c["other_offer"].pk}, "get",
     expect(LOGIN, 403, 403, 403, 403, 403, 403, 403, 200, 403, 404, 403)),
    ("offers:offer_delete", lambda c: {"pk": c["own_offer"].pk}, "get", OFFER_EDITORS),
    ("offers:offer_competencies", lambda c: {"pk": c["own_offer"].pk}, "get", OFFER_EDITORS),
    ("offers:provider_list", None, "get", OFFER_EDITORS),
    ("offers:provider_create", None, "get", ANALYSTS),
    ("offers:provider_edit", lambda c: {"pk": c["own_offer"].provider_id}, "get", ANALYSTS),
    ("offers:import", None, "get", OFFER_EDITORS),
    ("offers:export", None, "get", OFFER_EDITORS),
    ("offers:coverage_index", None, "get", COVERAGE_READERS),
    ("offers:coverage", lambda c: {"pk": c["answered_round"].pk}, "get", COVERAGE_READERS),
    ("offers:coverage_export", lambda c: {"pk": c["answered_round"].pk, "format": "xlsx"}, "get",
     COVERAGE_READERS),
    ("offers:recommendations", None, "get", PEOPLE),
    ("pilot:programme_list", None, "get", LOGGED_IN),
    ("pilot:programme_detail", lambda c: {"pk": c["programme"].pk}, "get", LOGGED_IN),
    ("pilot:programme_create", None, "get", COORDINATORS),
    ("pilot:programme_edit", lambda c: {"pk": c["programme"].pk}, "get", COORDINATORS),
    ("pilot:module_detail", lambda c: {"pk": c["module"].pk}, "get", LOGGED_IN),
    ("pilot:module_create", lambda c: {"pk": c["programme"].pk}, "get", COORDINATORS),
    ("pilot:module_edit", lambda c: {"pk": c["module"].pk}, "get", COORDINATORS),
    ("pilot:module_delete", lambda c: {"pk": c["module"].pk}, "get", COORDINATORS),
    ("pilot:session_create", lambda c: {"pk": c["module"].pk}, "get", COORDINATORS),
    ("pilot:session_edit", lambda c: {"pk": c["session"].pk}, "get", COORDINATORS),
    ("pilot:session_delete", lambda c: {"pk": c["session"].pk}, "get", COORDINATORS),
    ("pilot:suggestions", None, "get", PEOPLE),
    # Alice already has a seat: enrolling again changes nothing and goes back.
    ("pilot:enrol", lambda c: {"pk": c["session"].pk}, "post",
     expect(LOGIN, 403, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302)),
    ("pilot:enrol_staff", lambda c: {"pk": c["session"].pk}, "get",
     expect(LOGIN, 403, 403, 200, 200, 200, 200, 200, 403, 200, 403, 403)),
    ("pilot:cancel", lambda c: {"pk": c["enrolment"].pk}, "post", ENROLMENT_SEERS),
    ("pilot:mine", None, "get", PEOPLE),
    ("pilot:feed_reset", None, "post",
     expect(LOGIN, 403, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302)),
    ("pilot:session_ics", lambda c: {"pk": c["session"].pk}, "get", LOGGED_IN),
    # A calendar program cannot log in: the secret address is the key.
    ("pilot:feed", lambda c: {"token": c["feed"].token}, "get", EVERYONE),
    ("pilot:participants", lambda c: {"pk": c["session"].pk}, "get", RUNNERS),
    ("pilot:participants_csv", lambda c: {"pk": c["session"].pk}, "get", RUNNERS),
    ("pilot:certificate", lambda c: {"pk": c["completion"].pk}, "get", ALICE_ONLY),
    ("pilot:material_list", None, "get", COORDINATORS),
    ("pilot:material_create", None, "get", COORDINATORS),
    ("pilot:material_edit", lambda c: {"pk": c["tool"].pk}, "get", COORDINATORS),
    ("pilot:material_delete", lambda c: {"pk": c["tool"].pk}, "get", COORDINATORS),
    # A tool is for everyone logged in (a link material: sent on to its address).
    ("pilot:material_download", lambda c: {"pk": c["tool"].pk}, "get",
     expect(LOGIN, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302)),
    # A module's handout: for its participants, its facilitator and the coordinators.
    ("pilot:material_download", lambda c: {"pk": c["handout"].pk}, "get",
     expect(LOGIN, 404, 200, 404, 404, 404, 404, 404, 404, 200, 200, 404)),
    ("pilot:toolbox", None, "get", LOGGED_IN),
    # Nobody has completed the first module, so nobody may share an experience of it.
    ("pilot:experience_create", lambda c: {"pk": c["module"].pk}, "get",
     expect(LOGIN, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403)),
    ("pilot:experience_create", lambda c: {"pk": c["completed_module"].pk}, "get",
     expect(LOGIN, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403)),
    ("pilot:experience_mine", None, "get", LOGGED_IN),
    ("pilot:experience_edit", lambda c: {"pk": c["experience"].pk}, "get", ALICE_ONLY),
    ("pilot:experience_delete", lambda c: {"pk": c["experience"].pk}, "get", ALICE_ONLY),
    ("pilot:idea_bank", None, "get", LOGGED_IN),
    ("pilot:idea_bank_export", lambda c: {"format": "csv"}, "get", EFFECT_READERS),
    ("pilot:evaluate", lambda c: {"pk": c["attended"].pk}, "get",
     expect(LOGIN, 404, 200, 403, 404, 403, 404, 404, 404, 403, 404, 404)),
    ("pilot:evaluation_summary", lambda c: {"pk": c["completed_module"].pk}, "get", COORDINATORS),
    ("pilot:effect", lambda c: {"pk": c["programme"].pk}, "get", EFFECT_READERS),
    ("pilot:effect_export", lambda c: {"pk": c["programme"].pk, "format": "xlsx"}, "get",
     EFFECT_READERS),
    ("leadership:resource_list", None, "get", LOGGED_IN),
    ("leadership:resource_detail", lambda c: {"pk": c["resource"].pk}, "get", LOGGED_IN),
    ("leadership:resource_create", None, "get", ANALYSTS),
    ("leadership:resource_edit", lambda c: {"pk": c["resource"].pk}, "get", ANALYSTS),
    ("leadership:overview", lambda c: {"code": 461}, "get", ODENSE_READERS),
    ("leadership:selection", lambda c: {"code": 461}, "get", ODENSE_READERS),
    ("leadership:selection_export", lambda c: {"code": 461, "format": "csv"}, "get",
     ODENSE_READERS),
    # Leaders get 400: the request names no scenario.
    ("leadership:scenario_save", lambda c: {"code": 461}, "post",
     expect(LOGIN, 403, 403, 400, 400, 400, 404, 404, 403, 403, 403, 403)),
    ("leadership:usage_import", lambda c: {"code": 461}, "get", ODENSE_MANAGER),
    ("leadership:usage_imports", lambda c: {"code": 461}, "get", ODENSE_READERS),
    ("leadership:usage_resource", lambda c: {"code": 461, "pk": c["resource"].pk}, "get",
     ODENSE_READERS),
    ("leadership:sushi_endpoints", lambda c: {"code": 461}, "get", ODENSE_READERS),
    ("leadership:sushi_harvest", lambda c: {"code": 461, "pk": c["sushi"].pk}, "get",
     ODENSE_MANAGER),
    # Leaders are sent to their own municipality's list.
    ("leadership:licence_overview", None, "get",
     expect(LOGIN, 403, 403, 302, 302, 302, 302, 302, 200, 403, 403, 403)),
    ("leadership:licence_list", lambda c: {"code": 461}, "get", ODENSE_READERS),
    ("leadership:licence_create", lambda c: {"code": 461}, "get", ODENSE_MANAGER),
    ("leadership:licence_edit", lambda c: {"pk": c["licence"].pk}, "get", ODENSE_MANAGER),
    ("leadership:licence_delete", lambda c: {"pk": c["licence"].pk}, "get", ODENSE_MANAGER),
    ("leadership:collaboration_list", None, "get",
     expect(LOGIN, 403, 403, 200, 200, 200, 200, 200, 200, 403, 403, 403)),
    ("leadership:collaboration_create", None, "get",
     expect(LOGIN, 403, 403, 403, 403, 200, 403, 200, 403, 403, 403, 403)),
    ("leadership:collaboration_detail", lambda c: {"pk": c["collaboration"].pk}, "get",
     ODENSE_READERS),
    ("leadership:collaboration_edit", lambda c: {"pk": c["collaboration"].pk}, "get",
     ODENSE_MANAGER),
    ("leadership:membership_create", lambda c: {"pk": c["collaboration"].pk}, "get",
     ODENSE_MANAGER),
    ("leadership:membership_edit",
     lambda c: {"pk": c["collaboration"].pk, "membership": c["membership"].pk}, "get",
     ODENSE_MANAGER),
    ("leadership:invoice_create", lambda c: {"pk": c["collaboration"].pk}, "get",
     ODENSE_MANAGER),
    ("leadership:collaboration_export",
     lambda c: {"pk": c["collaboration"].pk, "file_format": "xlsx"}, "get", ODENSE_READERS),
    ("leadership:collaboration_peers", lambda c: {"pk": c["collaboration"].pk, "code": 461},
     "get", ODENSE_READERS),
    ("leadership:plan", lambda c: {"code": 461}, "get", PLAN_READERS),
    ("leadership:campaign_detail", lambda c: {"pk": c["campaign"].pk}, "get", PLAN_READERS),
    ("leadership:campaign_create", lambda c: {"code": 461}, "get",
     expect(LOGIN, 403, 403, 200, 200, 200, 404, 404, 403, 403, 403, 403)),
    ("leadership:campaign_edit", lambda c: {"pk": c["campaign"].pk}, "get", CAMPAIGN_EDITORS),
    ("leadership:campaign_delete", lambda c: {"pk": c["campaign"].pk}, "get", CAMPAIGN_EDITORS),
    ("leadership:activity_create", lambda c: {"pk": c["campaign"].pk}, "get", CAMPAIGN_EDITORS),
    ("leadership:activity_edit", lambda c: {"pk": c["activity"].pk}, "get", CAMPAIGN_EDITORS),
    ("leadership:activity_done", lambda c: {"pk": c["activity"].pk}, "post",
     expect(LOGIN, 403, 403, 302, 403, 302, 404, 404, 403, 403, 403, 403)),
    ("leadership:week", None, "get",
     expect(LOGIN, 403, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403)),
    ("leadership:strategy", lambda c: {"code": 461}, "get", ODENSE_READERS),
    ("leadership:goal_create", lambda c: {"code": 461}, "get", ODENSE_MANAGER),
    ("leadership:goal_edit", lambda c: {"pk": c["goal"].pk}, "get", ODENSE_MANAGER),
    ("leadership:indicator_create", lambda c: {"pk": c["goal"].pk}, "get", ODENSE_MANAGER),
    ("leadership:indicator_edit", lambda c: {"pk": c["indicator"].pk}, "get", ODENSE_MANAGER),
    ("leadership:measurement_create", lambda c: {"pk": c["indicator"].pk}, "get",
     ODENSE_MANAGER),
    ("leadership:dashboard", None, "get", LEADERS_ONLY),
    # Privacy: everyone's own data; another person's data and erasure for administrators; the
    # audit log for analysts and administrators.
    ("privacy:my_data", None, "get", LOGGED_IN),
    ("privacy:my_data_download", None, "get", LOGGED_IN),
    ("privacy:person_data", lambda c: {"pk": c["staff"].pk}, "get",
     expect(LOGIN, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200)),
    ("privacy:person_erase", lambda c: {"pk": c["staff"].pk}, "get",
     expect(LOGIN, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200)),
    ("privacy:audit_log", None, "get",
     expect(LOGIN, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 200)),
    ("api-schema", None, "get", EVERYONE),
    ("api-docs", None, "get", EVERYONE),
    ("api-root", None, "get", API_LOGGED_IN),
    ("me-list", None, "get", API_LOGGED_IN),
    ("region-list", None, "get", API_LOGGED_IN),
    ("region-detail", lambda c: {"code": 1083}, "get", API_LOGGED_IN),
    ("municipality-list", None, "get", API_LOGGED_IN),
    ("municipality-detail", lambda c: {"code": 461}, "get", API_LOGGED_IN),
    ("library-list", None, "get", API_LOGGED_IN),
    ("library-detail", lambda c: {"pk": c["odense_main"].pk}, "get", API_LOGGED_IN),
    ("person-list", None, "get", API_LOGGED_IN),
    ("person-detail", lambda c: {"pk": c["staff"].pk}, "get",
     expect(401, 404, 200, 200, 404, 200, 404, 404, 404, 404, 404, 200)),
    ("framework-list", None, "get", API_LOGGED_IN),
    ("framework-detail", lambda c: {"pk": c["published"].pk}, "get", API_LOGGED_IN),
    ("framework-export", lambda c: {"pk": c["published"].pk, "file_format": "case"}, "get",
     API_LOGGED_IN),
    ("survey-list", None, "get", API_ANALYSTS),
    ("survey-detail", lambda c: {"pk": c["survey"].pk}, "get", API_ANALYSTS),
    ("round-list", None, "get", expect(401, 403, 403, 200, 200, 200, 200, 200, 200, 403, 403, 403)),
    ("round-detail", lambda c: {"pk": c["round"].pk}, "get", API_ROUND_READERS),
    ("round-counts", lambda c: {"pk": c["round"].pk}, "get", API_ROUND_READERS),
    ("round-invite", lambda c: {"pk": c["round"].pk}, "post",
     expect(401, 403, 403, 403, 403, 403, 403, 403, 202, 403, 403, 403)),
    # Readers get 400: the request names no round.
    ("report-list", None, "post",
     expect(401, 403, 403, 400, 400, 400, 400, 400, 400, 403, 403, 403)),
    ("report-detail", lambda c: {"pk": c["report"].pk}, "get", API_ROUND_READERS),
    ("report-download", lambda c: {"pk": c["report"].pk}, "get", API_ROUND_READERS),
    ("programme-list", None, "get", API_LOGGED_IN),
    ("programme-detail", lambda c: {"pk": c["programme"].pk}, "get", API_LOGGED_IN),
    ("programme-effect", lambda c: {"pk": c["programme"].pk}, "get", API_EFFECT_READERS),
    ("session-list", None, "get", API_LOGGED_IN),
    ("session-detail", lambda c: {"pk": c["session"].pk}, "get", API_LOGGED_IN),
    ("enrolment-list", None, "get", API_LOGGED_IN),
    ("enrolment-detail", lambda c: {"pk": c["enrolment"].pk}, "get", API_ENROLMENT_SEERS),
    ("enrolment-cancel", lambda c: {"pk": c["enrolment"].pk}, "post", API_ENROLMENT_SEERS),
    ("experience-list", None, "get", API_LOGGED_IN),
    ("experience-detail", lambda c: {"pk": c["experience"].pk}, "get", API_LOGGED_IN),
    # Analysts get 400: the request has no file.
    ("framework-import-file", None, "post",
     expect(401, 403, 403, 403, 403, 403, 403, 403, 400, 403, 403, 403)),
]  # fmt: skip

# URL names owned by other projects (allauth, Django's admin and i18n) are checked by them.
FOREIGN_PREFIXES = (
    "account_",
    "socialaccount_",
    "mfa_",
    "openid_connect",
    "admin:",
    "set_language",
)


def _our_url_names(patterns=None, namespace=""):
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _our_url_names(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}{pattern.name}"
            # DRF's format-suffix twins (`….<format>`) are the same views as their originals.
            if not name.startswith(FOREIGN_PREFIXES) and "<format>" not in str(pattern.pattern):
                names.add(name)
    return names


def test_every_url_is_in_the_table():
    table_names = {row[0] for row in TABLE}
    ours = _our_url_names() | {"account_settings"}
    assert ours - table_names == set(), "URLs missing from the permission table"
    assert table_names - ours == set(), "rows for URLs that no longer exist"


@pytest.fixture
def cast(request, odense_main, staff):
    people = {"odense_main": odense_main, "staff": staff}
    people["nina"] = make_person(
        "Nina Nør", "nina@odense.example", library=odense_main, login=False
    )
    for member in CAST[2:]:
        people[member] = request.getfixturevalue(member)
    people["outsider"] = request.getfixturevalue("outsider")
    people["published"] = services.create_framework(content=make_content())
    services.publish(framework=people["published"])
    people["draft"] = services.new_version(framework=people["published"])
    people["domain"] = people["draft"].domains.first()
    people["competency"] = people["draft"].competencies.first()
    people["profile"] = people["draft"].profiles.first()
    people["survey"] = make_survey(people["published"])
    people["round"] = open_round(people["survey"], libraries=[odense_main])
    surveys.invite(round=people["round"])
    people["invitation"] = people["round"].invitations.get(person=staff)
    people["answered_round"] = open_round(people["survey"], libraries=[odense_main])
    surveys.invite(round=people["answered_round"])
    answered = people["answered_round"].invitations.get(person=staff)
    surveys.save_answers(invitation=answered, answers=COMPLETE)
    surveys.submit(invitation=answered)
    people["own_offer"] = _offer("Københavns Professionshøjskole", people["provider"])
    people["other_offer"] = _offer("VIA University College")
    people.update(_pilot(people))
    people.update(_leadership(people))
    people["report"] = Report.objects.create(
        round=people["answered_round"],
        kind=ReportKind.LIBRARY,
        library=odense_main,
        file_format="json",
        status="done",
        content=b"{}",
        filename="report.json",
        content_type="application/json",
        finished_at=timezone.now(),
    )
    return people


def _offer(provider_name, maintainer=None):
    provider = Provider.objects.create(name=provider_name)
    if maintainer is not None:
        provider.maintainers.add(maintainer)
    return EducationOffer.objects.create(
        provider=provider,
        title_da="Formidling af digitale ressourcer",
        kind=OfferKind.CONTINUING,
        format=OfferFormat.COURSE,
        online=True,
    )


def _user_of(cast, member):
    value = cast[member]
    return getattr(value, "user", value)


@pytest.mark.parametrize(("name", "kwargs", "method", "expected"), TABLE, ids=[r[0] for r in TABLE])
def test_each_role_gets_what_it_should(client, cast, name, kwargs, method, expected):
    url = reverse(name, kwargs=kwargs(cast) if kwargs else None)
    got = {}
    for member in CAST:
        client.logout()
        if member != "anonymous":
            client.force_login(_user_of(cast, member))
        if method == "post":
            # A mutating request: give each member a fresh target so one success doesn't change
            # what the next member sees.
            User.objects.filter(email="nina@odense.example").delete()
        response = getattr(client, method)(url)
        got[member] = response.status_code
        if response.streaming:
            # Read a download to its end, so the test client closes the file (closing the
            # response instead would close the database connection, as a finished request does).
            b"".join(response.streaming_content)
        # A redirect only the logged-out get is to the login page.
        if member == "anonymous" and response.status_code == LOGIN != expected["outsider"]:
            assert "/accounts/login/" in response["Location"]
    mismatches = {m: (got[m], expected[m]) for m in CAST if got[m] != expected[m]}
    assert not mismatches, f"{name}: (got, expected) {mismatches}"


def _pilot(cast):
    """A programme with a module whose coming session the provider facilitates and Alice has a
    seat in, and a module Alice completed in a past session, shared an experience of and may
    evaluate; a tool everyone may open and a handout for the participants of the first module."""
    staff = cast["staff"]
    now = timezone.now()
    programme = Programme.objects.create(
        key="pilot",
        title_da="Pilotuddannelse",
        framework=cast["published"],
        starts_on=now.date() - datetime.timedelta(days=30),
        ends_on=now.date() + datetime.timedelta(days=60),
    )
    module = Module.objects.create(
        programme=programme, title_da="eReolen for seniorer", format=ModuleFormat.WORKSHOP
    )
    session = Session.objects.create(
        module=module,
        starts_at=now + datetime.timedelta(days=7),
        ends_at=now + datetime.timedelta(days=7, hours=3),
        place="Odense Hovedbibliotek",
        capacity=5,
        facilitator=cast["provider"],
    )
    enrolment = Enrolment.objects.create(
        session=session, person=staff, status=EnrolmentStatus.ENROLLED
    )
    completed_module = Module.objects.create(
        programme=programme, title_da="Filmstriben i ferien", format=ModuleFormat.WEBINAR
    )
    past = Session.objects.create(
        module=completed_module,
        starts_at=now - datetime.timedelta(days=7),
        ends_at=now - datetime.timedelta(days=7, hours=-2),
        meeting_url="https://meet.example/filmstriben",
        capacity=5,
    )
    attended = Enrolment.objects.create(
        session=past, person=staff, status=EnrolmentStatus.ENROLLED, attended=True
    )
    completion = Completion.objects.create(person=staff, module=completed_module, session=past)
    experience = ExperienceLog.objects.create(
        module=completed_module,
        person=staff,
        library=staff.library,
        resource="Filmstriben",
        target_group=UserGroup.CHILDREN_9_12,
        title="Filmklub i vinterferien",
        what_tried="En filmklub.",
        what_happened="20 børn kom.",
        lesson="Gentag det.",
        would_repeat=WouldRepeat.YES,
    )
    tool = Material.objects.create(
        title_da="Kampagneplan",
        kind=MaterialKind.LINK,
        url="https://example.org/plan",
        is_tool=True,
    )
    handout = Material.objects.create(
        title_da="Slides", kind=MaterialKind.FILE, file=ContentFile(b"Slides", name="slides.txt")
    )
    module.materials.add(handout)
    return {
        "programme": programme,
        "module": module,
        "session": session,
        "enrolment": enrolment,
        "completed_module": completed_module,
        "attended": attended,
        "completion": completion,
        "experience": experience,
        "tool": tool,
        "handout": handout,
        "feed": CalendarFeed.objects.create(person=staff),
    }


def _leadership(cast):
    """Odense's toolkit: a resource with a licence and a SUSHI endpoint, a collaboration it
    coordinates (and is the only member of), a campaign of Odense Hovedbibliotek with an
    activity the library leader owns, and a strategy goal with an indicator."""
    odense = cast["odense_main"].municipality
    today = timezone.localdate()
    resource = DigitalResource.objects.create(name="eReolen", type=ResourceType.E_BOOKS)
    licence = Licence.objects.create(
        resource=resource,
        municipality=odense,
        starts_on=today.replace(month=1, day=1),
        ends_on=today.replace(month=12, day=31),
        pricing_model=PricingModel.FIXED,
        fixed_fee=Decimal("1000.00"),
    )
    collaboration = Collaboration.objects.create(name="Fynske biblioteker", coordinator=odense)
    membership = Membership.objects.create(
        collaboration=collaboration, municipality=odense, joined_on=today.replace(day=1)
    )
    campaign = Campaign.objects.create(
        municipality=odense,
        library=cast["odense_main"],
        title="eReolen for seniorer",
        resource=resource,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=30),
    )
    activity = Activity.objects.create(
        campaign=campaign,
        title="Opslag på Facebook",
        channel=Channel.SOCIAL_MEDIA,
        due_on=today,
        owner=cast["library_leader"],
    )
    goal = StrategyGoal.objects.create(
        municipality=odense, title="Flere digitale lån", horizon=today.replace(month=12, day=31)
    )
    indicator = Indicator.objects.create(goal=goal, name="Lån på eReolen", baseline=0, target=10)
    sushi = SushiEndpoint.objects.create(
        resource=resource,
        municipality=odense,
        url="https://sushi.example/r5",
        customer_id="odense",
    )
    return {
        "resource": resource,
        "licence": licence,
        "collaboration": collaboration,
        "membership": membership,
        "campaign": campaign,
        "activity": activity,
        "goal": goal,
        "indicator": indicator,
        "sushi": sushi,
    }
