"""The pilot part of the national demo: a pilot programme half run, with FICTITIOUS participants.

On top of the people of orgs.demo and the competence round of surveys.demo, load() creates

- the programme PROGRAMME_KEY on the framework of the demo's competence survey: five modules
  (workshops, a webinar, an e-learning module) on finding and disseminating digital resources,
  with their competencies, target groups, hours and materials: links, tools and two small files
  made here (a PDF printed by WeasyPrint and a Markdown checklist) stored in the default storage;
- sessions in the demo's pilot municipalities (PILOT_MUNICIPALITIES) or online: past ones, held
  between the competence round and the round after it, with attendance registered, completions
  (certificates) and evaluations (one session with fewer evaluations than the anonymity
  minimum); future ones with seats taken, one full with a waiting list;
- experiences the participants logged after their modules (the idea bank);
- the round after: a confidential round of the competence survey that opened after the demo's
  competence round (the programme's round before) had closed and closed CLOSED_AGO before the
  day the demo is loaded. It invites everyone who answered the round before; participants answer
  it more often than the others, and have grown on the competencies of the modules they
  completed, by PARTICIPANT_GAIN with noise; the others by NON_PARTICIPANT_GAIN.

The demo's staff login (orgs.demo.STAFF_LOGIN) completed the first module, has a seat in a
future session of the second, has logged no experience yet and not evaluated her session, so
that a visitor can try both.

Enrolments are written as rows, not through pilot.enrolment.enrol: enrol() refuses sessions that
have started (the past ones), and it sends each participant a mail when the transaction commits,
which the demo must not do to its fictitious people. The rows are kept as enrol() would keep
them: no session holds more people with a seat than it has seats, only a full session has a
waiting list, one active enrolment per person and module, attendance only for people with a
seat, and a completion for every attended enrolment.

The round after is a demo round as surveys.demo tells them (a shipped survey, a title ending in
its DEMO_SUFFIX, no creator), so load_survey_demo --reset removes it with the others; its
responses are written by surveys.demo's own writer, so answers and packed scores agree.

load() is repeatable: the same seed, people and answers of the round before give the same
programme. Running it again changes nothing (all unchanged); what is missing is made again: the
sessions and their people after load_demo --reset, the rounds after load_survey_demo --reset.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from digikompas.orgs import demo as orgs_demo
from digikompas.orgs.models import JobRole, Library, Person, UserGroup
from digikompas.surveys import demo as surveys_demo
from digikompas.surveys.defaults import COMPETENCE_SURVEY_KEY
from digikompas.surveys.models import (
    AnonymityMode,
    Answer,
    Response,
    Round,
    Survey,
)

from .models import (
    Completion,
    Enrolment,
    EnrolmentStatus,
    Evaluation,
    ExperienceLog,
    Material,
    MaterialKind,
    Module,
    ModuleFormat,
    Programme,
    Session,
    WouldRepeat,
)

DEFAULT_SEED = orgs_demo.DEFAULT_SEED
PROGRAMME_KEY = "pilot-2026"
AFTER_TITLE = "Kompetencemåling efter pilotuddannelsen"
# The municipalities whose libraries take part: Odense (the demo logins) and seven more.
PILOT_MUNICIPALITIES = (461, 751, 101, 851, 607, 479, 265, 787)
# Participants drawn from the staff of the pilot municipalities who answered the round before,
# and a few who did not (they cannot be paired, as in a real pilot).
PARTICIPANTS = 150
UNPAIRED_PARTICIPANTS = 8
# How many modules a participant takes part in, and how likely.
MODULES_TAKEN = {1: 0.3, 2: 0.45, 3: 0.25}
NO_SHOW = 0.08
CANCELLED = 0.05
EVALUATED = 0.7
# The round after closed this long before the day the demo is loaded, after this long open;
# the past sessions lie between the round before and the round after.
CLOSED_AGO = datetime.timedelta(days=2)
OPEN_FOR = datetime.timedelta(days=8)
LEAST_TEACHING_DAYS = 5
# Who answers the round after, and how their levels changed (levels of the framework's scale):
# participants by a uniform gain on the competencies of their modules, everyone a little noise.
ANSWERS_PARTICIPANT = 0.88
ANSWERS_OTHER = 0.45
PARTICIPANT_GAIN = (0.5, 1.0)
NON_PARTICIPANT_GAIN = 0.1
CHANGE_SD = 0.35
# The future session that fills up: its seats all taken and this many waiting.
WAITING = 3


class DemoError(Exception):
    """The pilot demo cannot be loaded as asked; the message says why."""


@dataclass
class LoadResult:
    """What load() did to the programme, its modules, materials and sessions and the round
    after; a session counts with its enrolments, attendance, completions and evaluations."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def count(self, state: str, n: int = 1) -> None:
        setattr(self, state, getattr(self, state) + n)


# -- the programme, its modules and materials -----------------------------------------------------

PROGRAMME = {
    "title_da": "Pilotuddannelse i digital formidling 2026–27",
    "title_en": "Pilot education in digital dissemination 2026–27",
    "description_da": (
        "Et forløb for bibliotekernes medarbejdere om at finde, vælge og formidle de digitale "
        "ressourcer: eReolen, Filmstriben, Infomedia, Faktalink og de andre ressourcer i Det "
        "Digitale Folkebibliotek. Modulerne veksler mellem workshops på bibliotekerne, webinarer "
        "og e-læring, og deltagerne afprøver det lærte i deres eget bibliotek og deler "
        "erfaringerne i idébanken. Kompetencekortlægningen før og efter viser, hvad forløbet "
        "flyttede."
    ),
    "description_en": (
        "A programme for library staff on finding, choosing and promoting the digital resources: "
        "eReolen, Filmstriben, Infomedia, Faktalink and the other resources of Det Digitale "
        "Folkebibliotek. The modules alternate between workshops in the libraries, webinars and "
        "e-learning, and the participants try what they learned in their own library and share "
        "their experience in the idea bank. The competence mapping before and after shows what "
        "the programme changed."
    ),
}
TARGET_ROLES = [
    JobRole.LIBRARIAN,
    JobRole.LIBRARY_ASSISTANT,
    JobRole.COMMUNICATOR,
    JobRole.DIGITAL_GUIDE,
]


@dataclass(frozen=True)
class MaterialSpec:
    key: str
    title_da: str
    title_en: str
    description_da: str
    description_en: str
    url: str = ""
    file: str = ""  # the name of the file made by _file_content; empty for a link
    is_tool: bool = False


MATERIALS = (
    MaterialSpec(
        "campaign-plan",
        "Skabelon til kampagneplan",
        "Campaign plan template",
        "Planlæg en kampagne for en digital ressource: målgruppe, budskab, kanaler, tidsplan og "
        "hvordan I måler effekten.",
        "Plan a campaign for a digital resource: audience, message, channels, timeline and how "
        "you will measure the effect.",
        url="https://materialer.example/pilot/kampagneplan.docx",
        is_tool=True,
    ),
    MaterialSpec(
        "journey-checklist",
        "Tjekliste til digitale-fysiske brugerrejser",
        "Checklist for digital-physical user journeys",
        "Gå brugerens vej fra hylden til den digitale ressource og tilbage: skilte, QR-koder, "
        "login og hjælp undervejs.",
        "Walk the user's way from the shelf to the digital resource and back: signs, QR codes, "
        "login and help along the way.",
        file="tjekliste-brugerrejser.pdf",
        is_tool=True,
    ),
    MaterialSpec(
        "ereolen-seniors",
        "Tjekliste: eReolen for seniorer",
        "Checklist: eReolen for seniors",
        "Det, I skal have klar, før I viser seniorer eReolen: login, app, lånekvoter og "
        "et lille hæfte at tage med hjem.",
        "What to have ready before showing seniors eReolen: login, app, loan quotas and a small "
        "leaflet to take home.",
        file="tjekliste-ereolen-seniorer.md",
    ),
    MaterialSpec(
        "usage-workbook",
        "Regneark til brugsstatistik",
        "Usage statistics workbook",
        "Indsæt jeres udtræk fra eReolen, Filmstriben og Infomedia og få udlån pr. måned, pris "
        "pr. udlån og udviklingen efter en kampagne.",
        "Paste your extracts from eReolen, Filmstriben and Infomedia and get loans per month, "
        "cost per loan and the development after a campaign.",
        url="https://materialer.example/pilot/brugsstatistik.xlsx",
        is_tool=True,
    ),
    MaterialSpec(
        "filmstriben-slides",
        "Slides: Filmstriben i skoleferien",
        "Slides: Filmstriben in the school holidays",
        "Webinarets slides med eksempler på opslag, plakater og filmlister til børnefamilier.",
        "The webinar's slides with examples of posts, posters and film lists for families with "
        "children.",
        url="https://materialer.example/pilot/filmstriben-skoleferie.pdf",
    ),
    MaterialSpec(
        "faktalink-guide",
        "Faktalink og Infomedia i projektarbejdet",
        "Faktalink and Infomedia in project work",
        "En vejledning til elever i gymnasiet og på erhvervsskolerne: søgning, kildekritik og "
        "kildehenvisninger.",
        "A guide for upper-secondary and vocational students: searching, source evaluation and "
        "citing sources.",
        url="https://faktalink.dk/",
    ),
)


@dataclass(frozen=True)
class ModuleSpec:
    position: int
    format: str
    title_da: str
    title_en: str
    description_da: str
    description_en: str
    competencies: tuple[str, ...]
    target_groups: tuple[str, ...]
    hours: str
    materials: tuple[str, ...]


MODULES = (
    ModuleSpec(
        1,
        ModuleFormat.WORKSHOP,
        "eReolen for seniorer – fra skranken til sofaen",
        "eReolen for seniors – from the desk to the sofa",
        "Hvordan får seniorer glæde af e-bøger og lydbøger? Vi øver introduktionen ved "
        "skranken, gennemgår login og lånekvoter og planlægger et formiddagsarrangement med "
        "kaffe og tablets.",
        "How do seniors come to enjoy e-books and audiobooks? We practise the introduction at "
        "the desk, go through login and loan quotas and plan a morning event with coffee and "
        "tablets.",
        ("D1.2", "D3.1", "D5.1"),
        (UserGroup.SENIORS,),
        "3",
        ("ereolen-seniors", "campaign-plan"),
    ),
    ModuleSpec(
        2,
        ModuleFormat.WEBINAR,
        "Filmstriben i skoleferien",
        "Filmstriben in the school holidays",
        "Skoleferien er Filmstribens højsæson. Webinaret viser, hvordan I rammer børnefamilierne "
        "på nyhedsbrev, sociale medier og i biblioteket, og hvordan I laver filmlister til "
        "regnvejrsdagene.",
        "The school holidays are Filmstriben's high season. The webinar shows how to reach "
        "families with children through the newsletter, social media and in the library, and "
        "how to make film lists for rainy days.",
        ("D1.3", "D3.3"),
        (UserGroup.CHILDREN_9_12, UserGroup.YOUNG_13_18),
        "1.5",
        ("filmstriben-slides", "campaign-plan"),
    ),
    ModuleSpec(
        3,
        ModuleFormat.WORKSHOP,
        "Infomedia og Faktalink i elevernes projektarbejde",
        "Infomedia and Faktalink in students' project work",
        "Elever i gymnasiet og på erhvervsskolerne søger bredt og kritikløst. Vi bygger "
        "søgestrategier i Infomedia og Faktalink, øver kildekritik og laver et kort oplæg, "
        "som I kan holde for en klasse.",
        "Upper-secondary and vocational students search widely and uncritically. We build search "
        "strategies in Infomedia and Faktalink, practise source evaluation and make a short talk "
        "you can give to a class.",
        ("D2.1", "D2.2", "D2.3"),
        (UserGroup.STUDENTS, UserGroup.TEACHERS),
        "3",
        ("faktalink-guide",),
    ),
    ModuleSpec(
        4,
        ModuleFormat.E_LEARNING,
        "Brug brugsstatistikken",
        "Putting usage statistics to use",
        "Et e-læringsforløb i eget tempo: hvor finder I tallene, hvordan læser I dem, og hvordan "
        "måler I, om en kampagne flyttede udlånet? Forløbet starter med et kort online møde.",
        "An e-learning module at your own pace: where to find the figures, how to read them, and "
        "how to tell whether a campaign moved the loans. It starts with a short online meeting.",
        ("D4.1", "D4.2", "D4.3"),
        (UserGroup.LEISURE_READERS, UserGroup.SENIORS),
        "4",
        ("usage-workbook",),
    ),
    ModuleSpec(
        5,
        ModuleFormat.WORKSHOP,
        "Digitale-fysiske brugerrejser",
        "Digital-physical user journeys",
        "Fra hylden til appen og tilbage: vi går brugerens vej gennem biblioteket, sætter "
        "QR-koder og skilte op, hvor de digitale ressourcer passer til det fysiske, og planlægger "
        "et arrangement, der binder dem sammen.",
        "From the shelf to the app and back: we walk the user's way through the library, put up "
        "QR codes and signs where the digital resources match the physical ones, and plan an "
        "event that ties them together.",
        ("D1.1", "D3.2", "D3.4"),
        (UserGroup.LEISURE_READERS, UserGroup.NEW_DANES),
        "3",
        ("journey-checklist", "campaign-plan"),
    ),
)


# -- sessions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionSpec:
    module: int  # position
    past: bool
    # Past: the share of the way through the teaching days; future: days from today.
    when: float
    start: datetime.time
    hours: float
    capacity: int
    municipality: int | None  # in its main library; None for an online session
    room: str = ""
    facilitator: str = "provider"  # or "coordinator"
    full: bool = False  # the future session that fills up, with a waiting list
    small: bool = False  # the past session with few participants (evaluations suppressed)


T = datetime.time
SESSIONS = (
    SessionSpec(1, True, 0.0, T(9, 30), 3, 20, 461, "mødelokale 2"),
    SessionSpec(1, True, 0.45, T(9, 30), 3, 20, 751, "Lokale 1"),
    SessionSpec(1, True, 0.9, T(13, 0), 3, 20, 101, "Foredragssalen"),
    SessionSpec(2, True, 0.2, T(14, 0), 1.5, 40, None, facilitator="coordinator"),
    SessionSpec(2, True, 0.7, T(10, 0), 1.5, 8, None, facilitator="coordinator", small=True),
    SessionSpec(3, True, 0.1, T(9, 0), 3, 20, 851, "Mødelokale Limfjorden"),
    SessionSpec(3, True, 0.6, T(12, 30), 3, 20, 607, "Studieværkstedet"),
    SessionSpec(4, True, 0.3, T(15, 0), 1, 60, None, facilitator="coordinator"),
    SessionSpec(5, True, 0.5, T(9, 30), 3, 16, 479, "Makerspace"),
    SessionSpec(5, True, 1.0, T(9, 30), 3, 16, 265, "Mødelokale 1"),
    SessionSpec(1, False, 16, T(9, 30), 3, 16, 787, "Mødelokalet"),
    SessionSpec(2, False, 23, T(14, 0), 1.5, 40, None, facilitator="coordinator"),
    SessionSpec(3, False, 30, T(9, 0), 3, 12, 461, "mødelokale 2", full=True),
    SessionSpec(4, False, 44, T(15, 0), 1, 60, None, facilitator="coordinator"),
    SessionSpec(5, False, 58, T(9, 30), 3, 20, 751, "Lokale 1"),
    SessionSpec(5, False, 86, T(13, 0), 3, 20, 101, "Foredragssalen"),
)
# The staff login completed this module and has a seat in a future session of the other.
STAFF_COMPLETED, STAFF_ENROLLED = 1, 2

EVALUATION_COMMENTS = (
    "Meget konkret – jeg kunne bruge det allerede dagen efter.",
    "Godt med tid til at prøve selv. Lidt for kort tid til spørgsmål til sidst.",
    "Rart at møde kolleger fra andre biblioteker og høre, hvad de gør.",
    "Skabelonen til kampagneplanen var guld værd.",
    "Gerne flere eksempler fra mindre biblioteker.",
    "Underviseren var god til at gøre det nærværende.",
    "Det tekniske drillede i starten, men indholdet var godt.",
    "Jeg savnede mere om, hvordan vi får tid til det i hverdagen.",
    "Nu forstår jeg endelig lånekvoterne.",
    "Fint tempo og gode materialer at tage med hjem.",
)

# -- experiences ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Experience:
    module: int
    resource: str
    target_group: str
    title: str
    what_tried: str
    what_happened: str
    lesson: str
    would_repeat: str


U, R = UserGroup, WouldRepeat
EXPERIENCES = (
    Experience(1, "eReolen", U.SENIORS, "eReolen-café for seniorer",
               "Vi holdt en formiddag med kaffe, hvor seniorer kunne tage deres egen tablet med "
               "og få hjælp til at komme i gang med eReolen.",
               "14 kom, og 11 gik hjem med appen installeret og et lån i gang. Flere spurgte, "
               "om vi gentager det.",
               "Sæt en medarbejder af pr. 4 deltagere – login tager længere tid, end man tror.",
               R.YES),
    Experience(1, "eReolen", U.SENIORS, "Lydbøger til ældreklubben",
               "Jeg besøgte den lokale ældreklub og viste, hvordan man lytter til lydbøger fra "
               "eReolen på telefonen.",
               "Stor interesse for lydbøger, mindre for e-bøger. Et par kom forbi biblioteket "
               "ugen efter for at få hjælp.",
               "Start med lydbøgerne – de er den nemmeste vej ind for mange ældre.",
               R.YES),
    Experience(1, "eReolen", U.SENIORS, "Hæfte ved skranken",
               "Vi lavede et lille hæfte med skærmbilleder af login og lån, som vi giver med "
               "hjem.",
               "Hæftet bliver taget, men vi ved ikke, hvor mange der bruger det.",
               "Sæt en QR-kode i hæftet, så vi kan se, om det bliver brugt.",
               R.MAYBE),
    Experience(1, "eReolen", U.SENIORS, "Lånekvoten skuffede",
               "Vi anbefalede eReolen til en seniorgruppe sidst på måneden.",
               "Flere mødte en tom kvote og blev skuffede.",
               "Læg introduktioner i starten af måneden, og fortæl om kvoten fra begyndelsen.",
               R.MAYBE),
    Experience(1, "eReolen", U.SENIORS, "Hjemmeservice med lydbøger",
               "Sammen med hjemmeplejen tilbød vi borgere i eget hjem hjælp til lydbøger.",
               "Få tilmeldte – borgerne kendte ikke tilbuddet, og plejen havde travlt.",
               "Det kræver en fast kontaktperson i hjemmeplejen, ellers lever det ikke.",
               R.NO),
    Experience(1, "eReolen", U.SENIORS, "Digital formiddag på filialen",
               "På vores lille filial inviterede vi til en digital formiddag om eReolen og "
               "bibliotekets app.",
               "Otte deltagere, god stemning, og tre lånte deres første lydbog.",
               "Det lille format virker – folk tør spørge, når de kender hinanden.",
               R.YES),
    Experience(2, "Filmstriben", U.CHILDREN_9_12, "Filmliste til regnvejrsdage",
               "Vi lavede en filmliste med ti børnefilm fra Filmstriben og delte den på "
               "Facebook og i nyhedsbrevet før sommerferien.",
               "Udlånet af børnefilm steg i ugerne efter, mest de første dage.",
               "Del listen igen midt i ferien – opslag glemmes hurtigt.",
               R.YES),
    Experience(2, "Filmstriben", U.CHILDREN_9_12, "Biograf i børneafdelingen",
               "Vi viste en kortfilm fra Filmstriben i børneafdelingen og fortalte om resten "
               "af udvalget.",
               "Børnene var begejstrede, forældrene spurgte, hvordan man logger ind hjemme.",
               "Hav et kort med login-vejledning klar til forældrene.",
               R.YES),
    Experience(2, "Filmstriben", U.YOUNG_13_18, "Gyserfilm til efterårsferien",
               "Vi lavede en gyserliste til de unge på Instagram.",
               "Få reaktioner – vi når ikke de unge på vores egen profil.",
               "Samarbejd med ungdomsskolen om at dele det.",
               R.MAYBE),
    Experience(2, "Filmstriben", U.CHILDREN_9_12, "Plakat ved udgangen",
               "En plakat med QR-kode til Filmstriben hang ved udgangen hele sommerferien.",
               "Mange scannede koden den første uge, derefter næsten ingen.",
               "Skift plakaten ud hver anden uge med nye film.",
               R.MAYBE),
    Experience(2, "Filmstriben", U.YOUNG_13_18, "Filmklub for unge",
               "Vi startede en filmklub, hvor de unge vælger film fra Filmstriben og ser dem "
               "sammen i biblioteket.",
               "Fem faste deltagere efter tre gange. De tager selv styringen.",
               "Lad de unge vælge – så kommer de igen.",
               R.YES),
    Experience(2, "Filmstriben", U.CHILDREN_9_12, "Filmtips i nyhedsbrevet",
               "Vi satte tre filmtips fra Filmstriben øverst i nyhedsbrevet.",
               "Flere klik på filmtipsene end på noget andet i nyhedsbrevet den måned.",
               "Korte tips med billeder virker bedre end lange tekster.",
               R.YES),
    Experience(3, "Infomedia", U.STUDENTS, "Søgeværksted for 2.g",
               "Vi holdt et søgeværksted i Infomedia for to 2.g-klasser før deres store "
               "skriftlige opgave.",
               "Eleverne fandt langt flere relevante artikler end med Google. Lærerne vil have "
               "det igen næste år.",
               "Aftal emnerne med lærerne på forhånd, så eksemplerne passer til opgaverne.",
               R.YES),
    Experience(3, "Faktalink", U.STUDENTS, "Faktalink i erhvervsskolen",
               "Jeg holdt et kort oplæg om Faktalink for elever på erhvervsskolen.",
               "De var skeptiske, indtil de så, at artiklerne har kildehenvisninger klar.",
               "Vis gevinsten først: det sparer dem tid.",
               R.YES),
    Experience(3, "Infomedia", U.TEACHERS, "Kildekritik for lærere",
               "Vi inviterede lærerne fra folkeskolen til en time om kildekritik med "
               "Infomedia.",
               "Kun tre kom. De, der kom, var meget glade.",
               "Læg det i lærernes egne møder i stedet for at invitere til noget ekstra.",
               R.MAYBE),
    Experience(3, "Faktalink", U.STUDENTS, "Opgavecafé med Faktalink",
               "I eksamensperioden holdt vi opgavecafé om torsdagen med hjælp til Faktalink og "
               "Infomedia.",
               "Stille start, men travlt de sidste to uger før afleveringen.",
               "Begynd markedsføringen en måned før afleveringen.",
               R.YES),
    Experience(3, "Infomedia", U.STUDENTS, "Vejledning ved skranken",
               "Når elever spørger efter materiale til opgaver, viser vi nu altid Infomedia.",
               "De fleste kendte ikke Infomedia og blev glade for artiklerne.",
               "Det tager to minutter og rammer præcist – det bør være fast praksis.",
               R.YES),
    Experience(3, "Faktalink", U.TEACHERS, "Faktalink på intra",
               "Vi fik lagt et link og en kort vejledning til Faktalink på skolens intra.",
               "Ingen målbar effekt endnu.",
               "Et link alene gør det ikke; der skal en person bag.",
               R.MAYBE),
    Experience(4, "eReolen", U.LEISURE_READERS, "Kampagnen, der kunne måles",
               "Vi sammenlignede udlånet på eReolen før og efter vores sommerkampagne med "
               "regnearket fra modulet.",
               "Udlånet steg med omkring 15 procent i kampagneugerne og faldt igen bagefter.",
               "Mål før I starter – uden et udgangspunkt kan I ikke vise noget.",
               R.YES),
    Experience(4, "Filmstriben", U.LEISURE_READERS, "Pris pr. udlån på Filmstriben",
               "Jeg regnede pris pr. udlån ud for Filmstriben og viste det på et personalemøde.",
               "Kollegerne blev overraskede og begyndte selv at tale om ressourcen.",
               "Tal gør ressourcerne synlige for kollegerne, ikke kun for ledelsen.",
               R.YES),
    Experience(4, "Infomedia", U.STUDENTS, "Statistik til skolesamarbejdet",
               "Vi trak brugen af Infomedia ud måned for måned og viste den til gymnasiet.",
               "Tydelige toppe omkring afleveringer. Gymnasiet vil gerne samarbejde mere.",
               "Statistikken er et godt argument over for samarbejdspartnere.",
               R.YES),
    Experience(4, "eReolen", U.SENIORS, "Månedlig statistik på tavlen",
               "Vi hænger nu eReolens udlånstal op på personalerummets tavle hver måned.",
               "Det skaber snak, men det er svært at se, hvad der skyldes os.",
               "Skriv jeres aktiviteter ind ved siden af tallene.",
               R.MAYBE),
    Experience(4, "bibliotek.dk", U.LEISURE_READERS, "Uden adgang til tallene",
               "Jeg ville følge op på vores formidling med statistik.",
               "Jeg kunne ikke få adgang til tallene selv og måtte vente på en kollega i "
               "kommunen.",
               "Sørg for adgang til statistikken, før kampagnen starter.",
               R.NO),
    Experience(5, "eReolen", U.LEISURE_READERS, "QR-koder på krimihylden",
               "Vi satte QR-koder til eReolens krimier på krimihylden.",
               "Koderne blev scannet over 100 gange på en måned.",
               "Placér koden, hvor bogen mangler – 'udlånt? Lån den digitalt'.",
               R.YES),
    Experience(5, "Filmstriben", U.LEISURE_READERS, "Fra dvd-hylden til Filmstriben",
               "Ved de sidste dvd'er satte vi skilte om, at filmene findes på Filmstriben.",
               "Flere spurgte ved skranken, hvordan man gør.",
               "Skiltene skal kunne forstås uden hjælp; vi har skrevet dem om.",
               R.MAYBE),
    Experience(5, "eReolen", U.NEW_DANES, "Lydbøger på let dansk",
               "Vi viste sprogskolens kursister lydbøger på let dansk på eReolen.",
               "Stor interesse; flere lånte samme dag med hjælp fra os.",
               "Tag sproglærerne med – de kender kursisternes niveau.",
               R.YES),
    Experience(5, "Litteratursiden", U.LEISURE_READERS, "Læsekreds med digital forlængelse",
               "Læsekredsen fik tips fra Litteratursiden og eReolen til bøger efter den fælles.",
               "Deltagerne brugte tipsene og lånte flere digitalt end før.",
               "Læsekredse er en god indgang til de digitale ressourcer.",
               R.YES),
    Experience(5, "eReolen Go", U.CHILDREN_9_12, "Skattejagt til eReolen Go",
               "En skattejagt gennem børneafdelingen endte med en QR-kode til eReolen Go.",
               "Børnene elskede jagten; færre fandt vej ind i appen.",
               "Slut jagten ved en skærm, hvor en medarbejder hjælper med login.",
               R.MAYBE),
    Experience(5, "Mediestream", U.GENEALOGISTS, "Slægtsforskning fra arkiv til avis",
               "Vi koblede slægtsforskernes møde med en introduktion til Mediestream på "
               "bibliotekets pc'er.",
               "Meget stor interesse, men ressourcen kan kun bruges på biblioteket.",
               "Fortæl tydeligt om adgangsvilkårene, før folk bliver skuffede.",
               R.YES),
    Experience(5, "bibliotek.dk", U.NEW_DANES, "Velkomstrundvisning med app",
               "Nye lånere får nu en rundvisning, hvor vi installerer bibliotekets app sammen.",
               "De fleste gennemfører installationen; få bruger den bagefter.",
               "Følg op med en sms eller mail en uge efter.",
               R.MAYBE),
)  # fmt: skip


# -- finding what the demo needs ------------------------------------------------------------------


def competence_round() -> Round | None:
    """The demo's confidential national competence round (surveys.demo), the round before."""
    title = surveys_demo.PLANS[0].title
    return (
        surveys_demo.demo_rounds()
        .filter(
            survey__key=COMPETENCE_SURVEY_KEY,
            anonymity=AnonymityMode.CONFIDENTIAL,
            title__startswith=f"{title} ",
        )
        .select_related("survey__framework")
        .order_by("-closes_at", "-pk")
        .first()
    )


def _login(login: orgs_demo.DemoLogin) -> Person | None:
    return Person.objects.filter(email__iexact=login.email).first()


def _after_window(before: Round, now: datetime.datetime):
    """When the round after is open, and the teaching days between the two rounds."""
    tz = timezone.get_current_timezone()
    today = timezone.localtime(now).date()
    closes_at = datetime.datetime.combine(today - CLOSED_AGO, datetime.time(0, 0), tz)
    opens_at = datetime.datetime.combine((closes_at - OPEN_FOR).date(), datetime.time(8, 0), tz)
    first = timezone.localtime(before.closes_at).date() + datetime.timedelta(days=1)
    days = [
        first + datetime.timedelta(days=n)
        for n in range((opens_at.date() - first).days)
        if (first + datetime.timedelta(days=n)).weekday() < 5
    ]
    if len(days) < LEAST_TEACHING_DAYS:
        raise DemoError(
            "The demo's competence round closed too recently for the pilot to have run since; "
            "load the survey demo again (load_survey_demo --reset) on an earlier day, or wait."
        )
    return opens_at, closes_at, days


# -- load -----------------------------------------------------------------------------------------


def load(*, seed: int = DEFAULT_SEED, reset: bool = False) -> LoadResult:
    """Create the demo programme, or bring it back to what the demo defines. Raises DemoError
    when the survey demo (its competence round) is missing."""
    with transaction.atomic():
        if reset:
            remove()
        before = competence_round()
        if before is None:
            raise DemoError(
                "The pilot demo needs the survey demo's competence round; run load_demo and "
                "load_survey_demo first."
            )
        framework = before.survey.framework
        if framework is None or not framework.is_published:
            raise DemoError("The demo's competence survey must ask about a published framework.")
        now = timezone.now()
        opens_at, closes_at, days = _after_window(before, now)
        result = LoadResult()
        programme = _programme(framework, before, now, days, result)
        materials = _materials(programme, result)
        modules = _modules(programme, framework, materials, result)
        rng = random.Random(seed)  # noqa: S311 – repeatable demo data, not a secret  # nosec B311
        if programme.modules.filter(sessions__enrolments__isnull=False).exists():
            result.count("unchanged", Session.objects.filter(module__programme=programme).count())
        else:
            # New, or its people were loaded again (load_demo --reset): make the sessions anew.
            existing = Session.objects.filter(module__programme=programme)
            state = "updated" if existing.exists() else "created"
            existing.delete()
            # Left behind by the people who were removed, without a person or library.
            ExperienceLog.objects.filter(module__programme=programme).delete()
            Completion.objects.filter(module__programme=programme).delete()
            sessions = _sessions(modules, days, now, rng)
            _people(programme, modules, sessions, before, now, rng)
            result.count(state, len(sessions))
        if programme.after_round_id is None:
            programme.after_round = _after_round(
                programme,
                before,
                opens_at,
                closes_at,
                random.Random(seed + 1),  # noqa: S311 – repeatable demo data  # nosec B311
            )
            programme.full_clean()
            programme.save(update_fields=["after_round"])
            result.count("created")
        else:
            result.count("unchanged")
    return result


def remove() -> int:
    """Delete the demo programme with everything in it, its own materials and its round after;
    returns how many programmes were deleted (0 or 1)."""
    programme = Programme.objects.filter(key=PROGRAMME_KEY, is_example=True).first()
    if programme is None:
        return 0
    materials = list(Material.objects.filter(modules__programme=programme).distinct())
    after = programme.after_round_id
    programme.delete()
    for material in materials:
        if not material.modules.exists():
            if material.file:
                material.file.delete(save=False)
            material.delete()
    if after is not None:
        surveys_demo.delete_rounds([after])
    return 1


def _set(obj, fields: dict) -> bool:
    """Set the fields that differ; whether any did."""
    changed = False
    for name, value in fields.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _programme(framework, before, now, days, result: LoadResult) -> Programme:
    programme = Programme.objects.filter(key=PROGRAMME_KEY).first()
    if programme is not None and not programme.is_example:
        raise DemoError(
            f"A programme with the key {PROGRAMME_KEY} exists and is not example data; the demo "
            "does not touch it."
        )
    fields = {**PROGRAMME, "framework": framework, "target_roles": TARGET_ROLES}
    if programme is None:
        today = timezone.localtime(now).date()
        programme = Programme(
            key=PROGRAMME_KEY,
            is_example=True,
            starts_on=days[0],
            ends_on=today + datetime.timedelta(days=150),
            before_round=before,
            **fields,
        )
        programme.full_clean()
        programme.save()
        result.count("created")
        return programme
    changed = _set(programme, fields)
    if programme.before_round_id is None:
        # The survey demo was loaded again: the round after went with the old round before.
        programme.before_round = before
        changed = True
    if changed:
        programme.full_clean()
        programme.save()
    result.count("updated" if changed else "unchanged")
    return programme


def _materials(programme: Programme, result: LoadResult) -> dict[str, Material]:
    existing = {
        m.title_da: m for m in Material.objects.filter(modules__programme=programme).distinct()
    }
    materials = {}
    for spec in MATERIALS:
        material = existing.get(spec.title_da)
        fields = {
            "title_da": spec.title_da,
            "title_en": spec.title_en,
            "description_da": spec.description_da,
            "description_en": spec.description_en,
            "kind": MaterialKind.FILE if spec.file else MaterialKind.LINK,
            "url": spec.url,
            "is_tool": spec.is_tool,
        }
        if material is None:
            material, state = Material(**fields), "created"
        else:
            state = "updated" if _set(material, fields) else "unchanged"
        if spec.file and (
            not material.file or not material.file.storage.exists(material.file.name)
        ):
            content = _file_content(spec)
            material.file.save(spec.file, ContentFile(content), save=False)
            material.file_name = spec.file
            material.content_type = _content_type(spec.file)
            material.size = len(content)
            state = "updated" if state == "unchanged" else state
        if state != "unchanged":
            material.full_clean()
            material.save()
        result.count(state)
        materials[spec.key] = material
    return materials


def _content_type(name: str) -> str:
    return "application/pdf" if name.endswith(".pdf") else "text/markdown; charset=utf-8"


def _file_content(spec: MaterialSpec) -> bytes:
    if spec.file.endswith(".pdf"):
        return _journey_pdf(spec)
    return EREOLEN_CHECKLIST.encode("utf-8")


EREOLEN_CHECKLIST = """\
# Tjekliste: eReolen for seniorer

Fra modulet »eReolen for seniorer – fra skranken til sofaen« i Pilotuddannelse i digital
formidling.

## Før introduktionen

- [ ] Kender deltageren sit login (MitID eller lånernummer og pinkode)?
- [ ] Er eReolen-appen installeret, og er tabletten eller telefonen opdateret?
- [ ] Har du styr på månedens lånekvote – og hvornår den nulstilles?
- [ ] Er der tid nok? Regn med 20 minutter pr. person første gang.

## Under introduktionen

- [ ] Start med lydbøger: de er den nemmeste vej ind.
- [ ] Lad deltageren selv trykke – du viser, de gør.
- [ ] Lån én titel sammen, og find den bagefter i appens reol.
- [ ] Vis, hvordan man afleverer og reserverer.

## Bagefter

- [ ] Giv hæftet med skærmbilleder med hjem.
- [ ] Fortæl, hvornår I har næste eReolen-café.
- [ ] Skriv erfaringen i idébanken, så kollegerne kan bruge den.
"""


def _journey_pdf(spec: MaterialSpec) -> bytes:
    """A one-page checklist printed by WeasyPrint, as the reports are."""
    from digikompas.analysis.reports.pdf import PDF_OPTIONS, lay_out

    steps = (
        ("Hylden", "Er der skilte eller QR-koder, der viser vej til den digitale udgave?"),
        ("Skranken", "Kan alle medarbejdere vise ressourcen på to minutter?"),
        ("Login", "Ved brugeren, hvilket login der skal bruges, og hvor hun får hjælp?"),
        ("Hjemme", "Findes der en kort vejledning at tage med hjem?"),
        ("Tilbage", "Peger den digitale ressource tilbage til bibliotekets arrangementer?"),
        ("Måling", "Har I tal fra før, så I kan se, om brugen stiger?"),
    )
    rows = "".join(
        f"<tr><th scope='row'>{step}</th><td>{question}</td><td>☐</td></tr>"
        for step, question in steps
    )
    html = f"""<!doctype html>
<html lang="da"><head><meta charset="utf-8"><title>{spec.title_da}</title>
<style>
  @page {{ size: A4; margin: 2cm; }}
  body {{ font-family: sans-serif; font-size: 11pt; }}
  table {{ border-collapse: collapse; width: 100%; }}
  th, td {{ border: 1px solid #999; padding: 6pt; text-align: left; vertical-align: top; }}
</style></head>
<body>
<h1>{spec.title_da}</h1>
<p>{spec.description_da}</p>
<table><thead><tr><th scope="col">Trin</th><th scope="col">Spørgsmål</th>
<th scope="col">OK</th></tr></thead><tbody>{rows}</tbody></table>
<p>Pilotuddannelse i digital formidling 2026–27 · modulet »Digitale-fysiske brugerrejser«</p>
</body></html>"""
    return lay_out(html).write_pdf(**PDF_OPTIONS)


def _modules(programme, framework, materials, result: LoadResult) -> dict[int, Module]:
    existing = {m.position: m for m in programme.modules.all()}
    competencies = {c.code: c for c in framework.competencies.all()}
    modules = {}
    for spec in MODULES:
        module = existing.get(spec.position)
        fields = {
            "title_da": spec.title_da,
            "title_en": spec.title_en,
            "description_da": spec.description_da,
            "description_en": spec.description_en,
            "format": spec.format,
            "target_groups": list(spec.target_groups),
            "hours": Decimal(spec.hours),
        }
        if module is None:
            module, state = Module(programme=programme, position=spec.position, **fields), "created"
        else:
            state = "updated" if _set(module, fields) else "unchanged"
        if state != "unchanged":
            module.full_clean()
            module.save()
        wanted = {competencies[code].pk for code in spec.competencies if code in competencies}
        if set(module.competencies.values_list("pk", flat=True)) != wanted:
            module.competencies.set(wanted)
            state = "updated" if state == "unchanged" else state
        wanted = {materials[key].pk for key in spec.materials}
        if set(module.materials.values_list("pk", flat=True)) != wanted:
            module.materials.set(wanted)
            state = "updated" if state == "unchanged" else state
        result.count(state)
        modules[spec.position] = module
    return modules


def _sessions(modules, days, now, rng) -> list[tuple[SessionSpec, Session]]:
    tz = timezone.get_current_timezone()
    today = timezone.localtime(now).date()
    main = {
        lib.municipality.code: lib
        for lib in Library.objects.filter(
            municipality__code__in=PILOT_MUNICIPALITIES, code__endswith="00-01"
        ).select_related("municipality")
    }
    facilitators = {
        "provider": _login(orgs_demo.PROVIDER_LOGIN),
        "coordinator": _login(orgs_demo.COORDINATOR_LOGIN),
    }
    result = []
    for number, spec in enumerate(SESSIONS, start=1):
        if spec.past:
            day = days[round(spec.when * (len(days) - 1))]
        else:
            day = today + datetime.timedelta(days=int(spec.when))
            while day.weekday() >= 5:
                day += datetime.timedelta(days=1)
        starts = datetime.datetime.combine(day, spec.start, tz)
        library = main.get(spec.municipality)
        place, url = "", ""
        if library is not None:
            place = f"{library.name}, {spec.room}"
        else:
            url = f"https://meet.example/digikompas-pilot-{spec.module}-{number}"
        session = Session(
            module=modules[spec.module],
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=spec.hours),
            place=place,
            meeting_url=url,
            capacity=spec.capacity,
            facilitator=facilitators[spec.facilitator],
        )
        session.full_clean()
        session.save()
        result.append((spec, session))
    return result


# -- the participants -----------------------------------------------------------------------------


def _candidates(before: Round):
    """Staff of the pilot municipalities, by e-mail: those who answered the round before, and
    those who did not."""
    answered = set(Response.objects.filter(round=before).values_list("person_id", flat=True))
    staff = (
        Person.objects.filter(
            library__municipality__code__in=PILOT_MUNICIPALITIES,
            job_role__in=surveys_demo.STAFF_ROLES,
        )
        .filter(
            Q(email__iendswith=f"@{orgs_demo.DEMO_DOMAIN}")
            | Q(email__iendswith=f".{orgs_demo.DEMO_DOMAIN}")
        )
        .order_by("email")
    )
    people = list(staff)
    return [p for p in people if p.pk in answered], [p for p in people if p.pk not in answered]


def _at(day_time: datetime.datetime, rng, low_days: float, high_days: float):
    return day_time - datetime.timedelta(days=rng.uniform(low_days, high_days))


def _people(programme, modules, sessions, before, now, rng) -> None:
    answered, silent = _candidates(before)
    staff_login = _login(orgs_demo.STAFF_LOGIN)
    leader_login = _login(orgs_demo.LIBRARY_LEADER_LOGIN)
    chosen = rng.sample(answered, min(PARTICIPANTS, len(answered)))
    chosen += rng.sample(silent, min(UNPAIRED_PARTICIPANTS, len(silent)))
    chosen.sort(key=lambda p: p.email)
    if staff_login is not None:
        chosen = [staff_login] + [p for p in chosen if p.pk != staff_login.pk]

    past = defaultdict(list)  # module position → sessions
    future = defaultdict(list)
    for spec, session in sessions:
        (past if spec.past else future)[spec.module].append((spec, session))
    taken = defaultdict(int)  # session pk → seats taken
    enrolments: list[Enrolment] = []
    active: dict[int, set[int]] = defaultdict(set)  # person → modules with an active place
    completed: dict[int, set[int]] = defaultdict(set)

    def add(session, person, status, created_at, **fields):
        enrolment = Enrolment(
            session=session, person=person, status=status, created_at=created_at, **fields
        )
        enrolments.append(enrolment)
        if status != EnrolmentStatus.CANCELLED:
            active[person.pk].add(session.module.position)
        if status == EnrolmentStatus.ENROLLED:
            taken[session.pk] += 1
        return enrolment

    def by_leader(person):
        """The library leader login enrols some of her own staff."""
        if leader_login is None or person is staff_login:
            return None
        return leader_login if person.library_id == leader_login.library_id else None

    # Past sessions: a seat for each module a participant takes, if one is free; the small
    # session takes only a handful.
    positions = sorted(past)
    for person in chosen:
        if person is staff_login:
            wanted = [STAFF_COMPLETED]
        else:
            k = rng.choices(list(MODULES_TAKEN), list(MODULES_TAKEN.values()))[0]
            wanted = sorted(rng.sample(positions, k))
        for position in wanted:
            options = [
                (spec, s)
                for spec, s in past[position]
                if taken[s.pk] < (5 if spec.small else s.capacity)
            ]
            if person is staff_login:
                options = [o for o in options if o[0].municipality == orgs_demo.ODENSE] or options
            if not options:
                continue
            spec, session = rng.choice(options)
            created_at = _at(session.starts_at, rng, 5, 30)
            if person is not staff_login and rng.random() < CANCELLED:
                add(
                    session,
                    person,
                    EnrolmentStatus.CANCELLED,
                    created_at,
                    cancelled_at=_at(session.starts_at, rng, 1, 4),
                )
                active[person.pk].discard(position)
                continue
            attended = person is staff_login or rng.random() >= NO_SHOW
            add(
                session,
                person,
                EnrolmentStatus.ENROLLED,
                created_at,
                enrolled_by=by_leader(person),
                attended=attended,
                attendance_recorded_at=session.ends_at + datetime.timedelta(minutes=30),
                attendance_recorded_by=session.facilitator,
            )
            if attended:
                completed[person.pk].add(position)

    # Future sessions: participants in modules they have not taken, and a few newcomers; one
    # session fills up and has a waiting list.
    newcomers = [p for p in answered + silent if p.pk not in active and p.pk not in completed]
    rng.shuffle(newcomers)
    for position in sorted(future):
        for spec, session in future[position]:
            if spec.full:
                seats, waiting = session.capacity, WAITING
            else:
                seats, waiting = round(session.capacity * rng.uniform(0.3, 0.75)), 0
            pool = [
                p
                for p in chosen
                if position not in active[p.pk] and position not in completed[p.pk]
            ]
            pool = rng.sample(pool, len(pool)) + newcomers[:5]
            newcomers = newcomers[5:]
            if (
                staff_login is not None
                and position == STAFF_ENROLLED
                and not spec.full
                and position not in active[staff_login.pk]
            ):
                pool.insert(0, staff_login)
            for person in pool:
                if seats + waiting == 0:
                    break
                if position in active[person.pk]:
                    continue
                created_at = min(now, session.starts_at) - datetime.timedelta(
                    days=rng.uniform(0.5, 12)
                )
                if seats > 0:
                    add(session, person, EnrolmentStatus.ENROLLED, created_at,
                        enrolled_by=by_leader(person))  # fmt: skip
                    seats -= 1
                else:
                    add(session, person, EnrolmentStatus.WAITLISTED, created_at,
                        waitlisted_at=created_at)  # fmt: skip
                    waiting -= 1
    if any(taken[session.pk] > session.capacity for _spec, session in sessions):
        raise DemoError("A demo session would hold more people than it has seats.")
    # In the order people enrolled, as the waiting list is kept.
    enrolments.sort(key=lambda e: (e.session.starts_at, e.created_at))
    Enrolment.objects.bulk_create(enrolments, batch_size=500)

    attended = [e for e in enrolments if e.attended]
    Completion.objects.bulk_create(
        (
            Completion(
                person=e.person,
                module=e.session.module,
                session=e.session,
                completed_at=e.attendance_recorded_at,
            )
            for e in attended
        ),
        batch_size=500,
    )
    _evaluations(attended, sessions, staff_login, now, rng)
    _experiences(modules, attended, staff_login, now, rng)


def _evaluations(attended, sessions, staff_login, now, rng) -> None:
    small = {s.pk for spec, s in sessions if spec.small}
    by_session = defaultdict(list)
    for enrolment in attended:
        if enrolment.person_id != (staff_login and staff_login.pk):
            by_session[enrolment.session.pk].append(enrolment)
    evaluations = []
    for pk, enrolments in by_session.items():
        # The small session gets fewer evaluations than the anonymity minimum.
        n = 3 if pk in small else max(5, round(len(enrolments) * EVALUATED))
        for enrolment in rng.sample(enrolments, min(n, len(enrolments))):
            satisfaction = max(1, min(5, round(rng.gauss(4.2, 0.7))))
            usefulness = max(1, min(5, round(satisfaction + rng.gauss(-0.3, 0.7))))
            evaluations.append(
                Evaluation(
                    enrolment=enrolment,
                    satisfaction=satisfaction,
                    usefulness=usefulness,
                    comment=rng.choice(EVALUATION_COMMENTS) if rng.random() < 0.4 else "",
                    created_at=min(
                        now,
                        enrolment.session.ends_at + datetime.timedelta(hours=rng.uniform(1, 72)),
                    ),
                )
            )
    Evaluation.objects.bulk_create(evaluations, batch_size=500)


def _experiences(modules, attended, staff_login, now, rng) -> None:
    """Each experience by a participant who completed its module, spread over the libraries."""
    by_module = defaultdict(list)
    for enrolment in attended:
        if enrolment.person_id != (staff_login and staff_login.pk):
            by_module[enrolment.session.module.position].append(enrolment)
    used_people, used_libraries = set(), set()
    logs = []
    for experience in EXPERIENCES:
        candidates = [e for e in by_module[experience.module] if e.person_id not in used_people]
        if not candidates:
            continue
        fresh = [e for e in candidates if e.person.library_id not in used_libraries]
        enrolment = rng.choice(fresh or candidates)
        used_people.add(enrolment.person_id)
        used_libraries.add(enrolment.person.library_id)
        done = timezone.localtime(enrolment.attendance_recorded_at).date()
        latest = timezone.localtime(now).date() - datetime.timedelta(days=1)
        tried_on = min(latest, done + datetime.timedelta(days=rng.randint(1, 7)))
        logged = datetime.datetime.combine(
            tried_on,
            datetime.time(rng.randint(9, 15), rng.randint(0, 59)),
            timezone.get_current_timezone(),
        ) + datetime.timedelta(days=rng.randint(0, 1))
        logs.append(
            ExperienceLog(
                module=modules[experience.module],
                person=enrolment.person,
                library_id=enrolment.person.library_id,
                resource=experience.resource,
                target_group=experience.target_group,
                title=experience.title,
                what_tried=experience.what_tried,
                what_happened=experience.what_happened,
                lesson=experience.lesson,
                would_repeat=experience.would_repeat,
                tried_on=tried_on,
                created_at=min(now, logged),
            )
        )
    ExperienceLog.objects.bulk_create(logs)


# -- the round after ------------------------------------------------------------------------------


def _after_round(programme, before, opens_at, closes_at, rng) -> Round:
    """A confidential round of the competence survey, invited to everyone who answered the round
    before; answered as the module header describes."""
    plan = surveys_demo.PLANS[0]
    local = timezone.localtime(opens_at)
    round = Round.objects.create(
        survey=before.survey,
        title=f"{AFTER_TITLE} {surveys_demo.SEASONS[local.month]} {local.year} "
        f"{surveys_demo.DEMO_SUFFIX}",
        opens_at=opens_at,
        closes_at=closes_at,
        anonymity=AnonymityMode.CONFIDENTIAL,
        job_roles=list(before.job_roles) or sorted(plan.job_roles),
        follows=before,
    )
    members = surveys_demo._members()
    where = {member.email: (member, unit) for member, unit in members.items()}
    by_person = {unit.person_id: member.email for member, unit in members.items()}
    # surveys.demo reads the shape of its three surveys, all there with its rounds.
    surveys = {s.key: s for s in Survey.objects.filter(key__in=surveys_demo.SURVEY_KEYS)}
    shape, items = surveys_demo._shape(surveys, before.survey.framework)
    items = items[before.survey.key]
    competency_of = {
        code: item.competency.code for code, item in items.items() if item.competency_id
    }

    before_answers: dict[int, dict[str, int]] = defaultdict(dict)
    for person, code, number in Answer.objects.filter(
        response__round=before, number__isnull=False
    ).values_list("response__person_id", "item__code", "number"):
        before_answers[person][code] = number
    gained: dict[int, set[str]] = defaultdict(set)  # person → competencies of completed modules
    for person, code in Completion.objects.filter(module__programme=programme).values_list(
        "person_id", "module__competencies__code"
    ):
        if code:
            gained[person].add(code)
    staff_login = _login(orgs_demo.STAFF_LOGIN)

    invitees = []
    for person_id in sorted(before_answers, key=lambda pk: by_person.get(pk, "")):
        email = by_person.get(person_id)
        if email is None:
            continue
        participant = person_id in gained
        answers_p = ANSWERS_PARTICIPANT if participant else ANSWERS_OTHER
        forced = staff_login is not None and person_id == staff_login.pk
        if not forced and rng.random() >= answers_p:
            invitees.append(surveys_demo.Invitee(email, None, False, {}))
            continue
        answers = {}
        for code, level in before_answers[person_id].items():
            competency = competency_of.get(code)
            if competency in gained[person_id]:
                change = rng.uniform(*PARTICIPANT_GAIN)
            else:
                change = NON_PARTICIPANT_GAIN
            value = level + change + rng.gauss(0, CHANGE_SD)
            answers[code] = surveys_demo.clip(surveys_demo.round_half_up(value), *shape.scale)
        day = min(int(rng.expovariate(1 / 2)), OPEN_FOR.days - 1)
        after = datetime.timedelta(days=day, hours=rng.uniform(0.25, 9))
        invitees.append(surveys_demo.Invitee(email, after, False, answers))
    surveys_demo._write(round, invitees, where, items, rng)
    return round
