"""Deterministic demo data for `make run`: schools, users for every role, packages, a term of
events. Idempotent: every row is found by a natural key and updated, so a second run changes
nothing. Each app adds what it builds as a loader in `LOADERS` at the bottom."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

DEMO_PASSWORD = "Demo-Partnership-2026!"
SEED = 2026
LONDON = ZoneInfo("Europe/London")

TRUSTS = ["North London Learning Trust", "Lea Valley Academies", "Greenway Schools Trust"]

# (name, phase, sixth form, FTE pupils, trust index or None)
HARINGEY = [
    ("Noel Park Primary School", "primary", False, 420, 0),
    ("Bounds Green Infant School", "primary", False, 270, None),
    ("Bruce Grove Primary School", "primary", False, 630, None),
    ("Campsbourne School", "primary", False, 415, None),
    ("Chestnuts Primary School", "primary", False, 360, 0),
    ("Coldfall Primary School", "primary", False, 630, None),
    ("Crowland Primary School", "primary", False, 445, None),
    ("Devonshire Hill Nursery School", "nursery", False, 96, None),
    ("Earlsmead Primary School", "primary", False, 402, None),
    ("Ferry Lane Primary School", "primary", False, 210, None),
    ("Highgate Wood Secondary School", "secondary", True, 1250, None),
    ("Hornsey Vale Academy", "secondary", False, 720, 0),
    ("Lordship Lane Primary School", "primary", False, 590, None),
    ("Muswell Hill Primary School", "primary", False, 418, None),
    ("Northumberland Park Community School", "secondary", True, 980, None),
    ("Park View Academy", "secondary", False, 840, 0),
    ("Riverside Special School", "special", False, 120, None),
    ("Seven Sisters Primary School", "primary", False, 380, None),
    ("St Ann's Alternative Provision", "alternative-provision", False, 45, None),
    ("Stroud Green Primary School", "primary", False, 205, None),
    ("Tiverton Primary School", "primary", False, 410, None),
    ("Welbourne Primary School", "primary", False, 300, None),
    ("Haringey Sixth Form College", "further-education", False, 1400, None),
]
ENFIELD = [
    ("Bush Hill Park Primary School", "primary", False, 450, 1),
    ("Alma Primary School", "primary", False, 630, None),
    ("Brimsdown Primary School", "primary", False, 405, 1),
    ("Carterhatch Infant School", "primary", False, 262, None),
    ("Chase Side Primary School", "primary", False, 210, None),
    ("Eldon Primary School", "primary", False, 820, None),
    ("Enfield Grammar Academy", "secondary", True, 1300, 1),
    ("Firs Farm Primary School", "primary", False, 598, None),
    ("Galliard Primary School", "primary", False, 610, None),
    ("Highlands All-Through School", "all-through", True, 1500, 1),
    ("Honilands Primary School", "primary", False, 415, None),
    ("Oaktree Special School", "special", False, 140, None),
    ("Ponders End Nursery School", "nursery", False, 88, None),
    ("Raynham Primary School", "primary", False, 630, None),
    ("Southbury Primary School", "primary", False, 628, None),
    ("Winchmore Secondary School", "secondary", True, 1450, None),
    ("Worcesters Primary School", "primary", False, 420, None),
    ("Capel Manor Further Education College", "further-education", False, 900, None),
]
ELSEWHERE = [
    ("Barnet Hill Primary School", "primary", False, 420, "Barnet", 2),
    ("Waltham Forest Academy", "secondary", True, 1100, "Waltham Forest", 2),
    ("Islington Green Primary School", "primary", False, 240, "Islington", None),
    ("Hackney Marsh Special School", "special", False, 110, "Hackney", None),
    ("Camden Town Nursery School", "nursery", False, 75, "Camden", None),
]
DEMO_MEMBER_SCHOOL = "Noel Park Primary School"
DEMO_NON_MEMBER_SCHOOL = "Bush Hill Park Primary School"

SCHOOL_ROLES = [
    ("key", "key_user", "Kemi Adeyemi"),
    ("mat", "mat_head_office", "Matthew Okafor"),
    ("head", "headteacher", "Helen Price"),
    ("business", "business_manager", "Bola Sanusi"),
    ("teacher", "teacher", "Tom Whitfield"),
    ("governor", "governor", "Grace Mensah"),
]
STAFF = [
    ("staff@demo.test", "Sam Admin", "site_admin", True),
    ("finance@demo.test", "Fatima Accounts", "finance", False),
    ("organiser@demo.test", "Olu Organiser", "event_organiser", False),
]

CATEGORIES = [
    ("Early Career Teachers / NQTs", False),
    ("Leaders", False),
    ("Middle Leaders", False),
    ("Governors & Clerks", True),
    ("Early Years", False),
    ("SEND", False),
    ("Teaching Assistants", False),
    ("School Business Managers", False),
]
SUBJECTS = [
    "English",
    "Maths",
    "Science",
    "Safeguarding",
    "Computing",
    "History",
    "Geography",
    "Art",
    "Music",
    "PE",
    "Phonics",
    "Wellbeing",
    "Curriculum",
    "Assessment",
]
VENUES = [
    ("HEP Training Centre", "48 Station Road, Wood Green, London", "N22 7TY"),
    ("Tottenham Green Learning Centre", "1 Town Hall Approach Road, Tottenham, London", "N15 4RY"),
    ("Enfield Civic Centre", "Silver Street, Enfield", "EN1 3XA"),
    ("Alexandra Palace Conference Rooms", "Alexandra Palace Way, London", "N22 7AY"),
]


def _school_address(rng: random.Random, la: str) -> tuple[str, str]:
    streets = [
        "High Road",
        "Park Lane",
        "Church Street",
        "Green Lanes",
        "Station Road",
        "Lordship Lane",
        "West Green Road",
        "Silver Street",
        "Chase Side",
        "Bury Street",
    ]
    postcodes = {
        "haringey": ["N8", "N10", "N15", "N17", "N22"],
        "enfield": ["EN1", "EN2", "EN3", "N9", "N13"],
        "other": ["N1", "E8", "E17", "NW1", "EN5"],
    }
    street = f"{rng.randint(1, 250)} {rng.choice(streets)}"
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    code = f"{rng.choice(postcodes[la])} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
    return street, code


def load_schools(ctx: dict) -> None:
    from schools.models import CensusFigure, School, Trust

    rng = random.Random(SEED)
    trusts = [Trust.objects.get_or_create(name=name)[0] for name in TRUSTS]
    today = timezone.localdate()
    census_year = today.year if today.month >= 10 else today.year - 1
    urn = 100000
    rows = [(*r[:4], "haringey", "", r[4]) for r in HARINGEY]
    rows += [(*r[:4], "enfield", "", r[4]) for r in ENFIELD]
    rows += [(r[0], r[1], r[2], r[3], "other", r[4], r[5]) for r in ELSEWHERE]
    schools = {}
    for name, phase, sixth, pupils, la, la_name, trust_index in rows:
        urn += 137
        street, postcode = _school_address(rng, la)
        trust = trusts[trust_index] if trust_index is not None else None
        school, _ = School.objects.get_or_create(
            urn=str(urn),
            defaults={
                "name": name,
                "phase": phase,
                "has_sixth_form": sixth,
                "local_authority": la,
                "local_authority_name": la_name,
                "trust": trust,
                "financial_year_start": 9 if trust or "Academy" in name else 4,
                "address_line_1": street,
                "town": "London" if la != "enfield" else "Enfield",
                "postcode": postcode,
                "billing_email": f"finance@{slugify(name)[:30]}.sch.example",
            },
        )
        schools[name] = school
        for year, figure in ((census_year - 1, pupils - rng.randint(0, 12)), (census_year, pupils)):
            CensusFigure.objects.get_or_create(
                school=school,
                census_year=year,
                defaults={"fte_pupils": Decimal(figure), "note": "October census"},
            )
    ctx["schools"] = schools
    ctx["trusts"] = trusts


def _ensure_groups() -> dict[str, Group]:
    apps_for = {
        "Site administrators": None,  # every permission
        "Finance": ["orders", "billing", "payments", "memberships", "schools", "notifications"],
        "Event organisers": ["events", "orders"],
    }
    groups = {}
    for name, app_labels in apps_for.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = Permission.objects.all()
        if app_labels is not None:
            perms = perms.filter(content_type__app_label__in=app_labels)
        group.permissions.set(perms)
        groups[name] = group
    return groups


def load_users(ctx: dict) -> None:

    groups = _ensure_groups()
    staff_groups = {
        "site_admin": "Site administrators",
        "finance": "Finance",
        "event_organiser": "Event organisers",
    }
    for email, name, staff_role, superuser in STAFF:
        user = _user(email, full_name=name, staff_role=staff_role, is_staff=True, is_superuser=superuser)
        user.groups.set([groups[staff_groups[staff_role]]])
    schools = ctx["schools"]
    for suffix, school_name in (("", DEMO_MEMBER_SCHOOL), ("2", DEMO_NON_MEMBER_SCHOOL)):
        school = schools[school_name]
        for prefix, role, name in SCHOOL_ROLES:
            fields = {"full_name": name if not suffix else f"{name} (Enfield)", "role": role}
            if role == "mat_head_office":
                fields.update(trust=school.trust, school=None)
            else:
                fields.update(school=school, trust=None)
            _user(f"{prefix}{suffix}@demo.test", **fields)


def _user(email: str, **fields):
    from accounts.models import User

    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email)
        user.set_password(DEMO_PASSWORD)
    changed = user.pk is None
    for key, value in fields.items():
        if getattr(user, key) != value:
            setattr(user, key, value)
            changed = True
    if changed:
        user.save()
    return user


def load_memberships(ctx: dict) -> None:
    from memberships.models import Membership, MembershipStatus, MembershipType, PriceSettings
    from memberships.years import membership_year_for, year_start

    year = membership_year_for(timezone.localdate())
    for y in (year - 1, year, year + 1):
        PriceSettings.objects.get_or_create(
            year=y,
            membership_type=MembershipType.FULL,
            defaults=dict(
                rate_per_pupil=Decimal("19.00"),
                cap=Decimal("12500.00"),
                cap_secondary_sixth_form=Decimal("13000.00"),
                further_education_price=Decimal("7500.00"),
                new_joiner_minimum=Decimal("6000.00"),
            ),
        )
        PriceSettings.objects.get_or_create(
            year=y,
            membership_type=MembershipType.ASSOCIATE,
            defaults=dict(
                rate_per_pupil=Decimal("12.00"),
                cap=Decimal("8000.00"),
                cap_secondary_sixth_form=Decimal("8500.00"),
                further_education_price=Decimal("5000.00"),
                new_joiner_minimum=Decimal("3000.00"),
            ),
        )
    school = ctx["schools"][DEMO_MEMBER_SCHOOL]
    Membership.objects.get_or_create(
        school=school,
        year=year,
        defaults=dict(
            membership_type=MembershipType.FULL,
            status=MembershipStatus.ACTIVE,
            price=Decimal("7980.00"),
            starts_on=year_start(year),
            recorded_by_staff=True,
        ),
    )


def load_catalogue(ctx: dict) -> None:
    from billing.models import InvoicingBody
    from catalogue.models import Product
    from events.models import Category, Subject
    from memberships.years import membership_year_for

    categories = {}
    for name, governor in CATEGORIES:
        categories[name], _ = Category.objects.get_or_create(
            slug=slugify(name), defaults={"name": name, "is_governor_training": governor}
        )
    for name in SUBJECTS:
        Subject.objects.get_or_create(slug=slugify(name), defaults={"name": name})
    ctx["categories"] = categories
    hep = InvoicingBody.objects.get(code="hep")
    lbh = InvoicingBody.objects.get(code="lbh")
    year = membership_year_for(timezone.localdate())
    products = [
        dict(
            slug="professional-learning-package",
            kind="package",
            name="Professional Learning package",
            summary="Free places for your staff on HEP's professional learning programme all year.",
            member_price="2500.00",
            non_member_price=None,
            members_only=True,
            body=hep,
            covers=["Early Career Teachers / NQTs", "Leaders", "Middle Leaders", "Teaching Assistants"],
            places=None,
            position=1,
        ),
        dict(
            slug="early-years-package",
            kind="package",
            name="Haringey Early Years package",
            summary="Early Years training free for your setting, "
            "sold on behalf of the London Borough of Haringey.",
            member_price="1200.00",
            non_member_price="1500.00",
            haringey_only=True,
            body=lbh,
            covers=["Early Years"],
            places=20,
            position=2,
        ),
        dict(
            slug="send-package",
            kind="package",
            name="Haringey SEND package",
            summary="SEND training free for your school, sold on behalf of the London Borough of Haringey.",
            member_price="1200.00",
            non_member_price="1500.00",
            haringey_only=True,
            body=lbh,
            covers=["SEND"],
            places=15,
            position=3,
        ),
        dict(
            slug="school-improvement",
            kind="traded_service",
            name="School improvement partner visits",
            summary="Three school improvement partner visits across the year.",
            member_price="1800.00",
            non_member_price="2600.00",
            body=hep,
            position=1,
        ),
        dict(
            slug="governor-training-service",
            kind="traded_service",
            name="Governor training subscription",
            summary="All governor training sessions for your whole board.",
            member_price="450.00",
            non_member_price="750.00",
            body=hep,
            covers=["Governors & Clerks"],
            position=2,
        ),
        dict(
            slug="clerking",
            kind="traded_service",
            name="Clerking service",
            summary="A professional clerk for your full governing board meetings.",
            member_price="2200.00",
            non_member_price="2900.00",
            body=hep,
            position=3,
        ),
    ]
    ctx["products"] = {}
    for p in products:
        product, created = Product.objects.get_or_create(
            slug=p["slug"],
            defaults=dict(
                kind=p["kind"],
                name=p["name"],
                summary=p["summary"],
                description=p["summary"],
                member_price=Decimal(p["member_price"]),
                non_member_price=Decimal(p["non_member_price"]) if p.get("non_member_price") else None,
                members_only=p.get("members_only", False),
                haringey_only=p.get("haringey_only", False),
                membership_year=year,
                invoicing_body=p["body"],
                places_limit=p.get("places"),
                position=p["position"],
            ),
        )
        if created:
            product.covers_categories.set([categories[c] for c in p.get("covers", [])])
        ctx["products"][p["slug"]] = product


EVENT_TOPICS = [
    (
        "Early Career Teachers / NQTs",
        ["Maths", "English", "Assessment"],
        "Early career teacher: {s} in the classroom",
    ),
    ("Leaders", ["Curriculum", "Safeguarding", "Wellbeing"], "Leading {s} across the school"),
    (
        "Middle Leaders",
        ["Maths", "English", "Science", "History", "Geography"],
        "Middle leaders: developing {s}",
    ),
    ("Governors & Clerks", ["Safeguarding", "Curriculum", "Assessment"], "Governor briefing: {s}"),
    ("Early Years", ["Phonics", "English", "Maths", "Wellbeing"], "Early Years network: {s}"),
    ("SEND", ["English", "Wellbeing", "Assessment"], "SEND: adaptive teaching and {s}"),
    ("Teaching Assistants", ["Phonics", "Maths", "Wellbeing"], "Teaching assistants: supporting {s}"),
    ("School Business Managers", ["Safeguarding", "Wellbeing"], "Business managers' forum: {s}"),
]


def load_events(ctx: dict) -> None:
    from billing.models import InvoicingBody
    from events.models import Event, EventSession, Subject, Venue

    rng = random.Random(SEED + 1)
    venues = [
        Venue.objects.get_or_create(name=n, defaults={"address": a, "postcode": p})[0] for n, a, p in VENUES
    ]
    subjects = {s.name: s for s in Subject.objects.all()}
    categories = ctx["categories"]
    hep = InvoicingBody.objects.get(code="hep")
    lbh = InvoicingBody.objects.get(code="lbh")
    start_day = timezone.localdate() + dt.timedelta(days=3)
    events = []
    for n in range(60):
        category_name, subject_names, pattern = EVENT_TOPICS[n % len(EVENT_TOPICS)]
        subject_name = subject_names[(n // len(EVENT_TOPICS)) % len(subject_names)]
        title = pattern.format(s=subject_name)
        if n >= len(EVENT_TOPICS) * len(subject_names):
            title = f"{title} ({'spring' if n % 2 else 'autumn'} cohort {n // 8})"
        day = start_day + dt.timedelta(days=(n * 90) // 60)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        hour = rng.choice([9, 9, 13, 16])
        online = n % 5 == 3
        governor = category_name == "Governors & Clerks"
        if governor:
            hour = 18
        member_price = Decimal(rng.choice([0, 45, 60, 75, 95, 120])) if not governor else Decimal(35)
        capacity = rng.choice([12, 20, 25, 30, 40])
        slug = f"{slugify(title)[:60]}-{day:%Y%m%d}"
        rule = "anyone"
        if n % 7 == 2:
            rule = "members"
        elif category_name in ("Early Years", "SEND") and n % 3 == 0:
            rule = "haringey"
        event, created = Event.objects.get_or_create(
            slug=slug,
            defaults=dict(
                title=title,
                summary=f"A practical session on {subject_name.lower()} for {category_name}.",
                description=(
                    f"<p>A practical, research-informed session on {subject_name.lower()} "
                    f"for {category_name}.</p><ul><li>Evidence and examples</li>"
                    "<li>Time to plan with colleagues</li></ul>"
                ),
                capacity=capacity,
                member_price=member_price,
                non_member_price=(member_price * Decimal("1.5")).quantize(Decimal("1"))
                + (25 if member_price == 0 else 0),
                booking_rule=rule,
                status="published",
                invoicing_body=lbh if category_name in ("Early Years", "SEND") else hep,
                max_delegates_per_booking=10 if n % 4 == 0 else None,
            ),
        )
        events.append(event)
        if not created:
            continue
        event.categories.set([categories[category_name]])
        event.subjects.set([subjects[subject_name]])
        starts = dt.datetime.combine(day, dt.time(hour, 0 if hour != 16 else 30), tzinfo=LONDON)
        length = dt.timedelta(hours=2 if hour >= 16 else 3)
        sessions = [(starts, starts + length)]
        if n % 9 == 0:  # a course over two sessions, a week apart
            sessions.append((starts + dt.timedelta(days=7), starts + dt.timedelta(days=7) + length))
        for s_start, s_end in sessions:
            EventSession.objects.create(
                event=event,
                starts_at=s_start,
                ends_at=s_end,
                venue=None if online else venues[n % len(venues)],
                online_url=f"https://meet.example/hep-{slug[:20]}" if online else "",
            )
        Event.objects.filter(pk=event.pk).update(
            starts_at=sessions[0][0], ends_at=sessions[-1][1], is_online=online
        )
    # A few draft events that must never be listed.
    for n in range(2):
        day = start_day + dt.timedelta(days=20 + n)
        event, created = Event.objects.get_or_create(
            slug=f"draft-planning-meeting-{n}",
            defaults=dict(
                title=f"Draft: planning meeting {n + 1}",
                capacity=10,
                member_price=Decimal(0),
                non_member_price=Decimal(0),
                status="draft",
                invoicing_body=hep,
                starts_at=dt.datetime.combine(day, dt.time(10), tzinfo=LONDON),
            ),
        )
        if created:
            event.categories.set([categories["Leaders"]])
    ctx["events"] = events


def load_nearly_full(ctx: dict) -> None:
    """Book most places on a few events for another school, so the calendar shows scarcity."""
    from billing.models import InvoicingBody
    from events.models import Event
    from orders.models import Booking, BookingStatus, Order, OrderLine, OrderStatus, PaymentMethod
    from pricing.quotes import line_subtotal

    school = ctx["schools"]["Bruce Grove Primary School"]
    hep = InvoicingBody.objects.get(code="hep")
    for index in (1, 6, 11, 17, 25):
        event = Event.objects.get(pk=ctx["events"][index].pk)
        key = f"demo-nearly-full-{event.slug[:40]}"
        if Order.objects.filter(idempotency_key=key).exists():
            continue
        taken = event.capacity - (1 if index % 2 else 2) if index != 25 else event.capacity
        with transaction.atomic():
            order = Order.objects.create(
                number=f"D{event.pk:05d}",
                status=OrderStatus.PLACED,
                payment_method=PaymentMethod.ACCOUNT,
                school=school,
                buyer_name="Demo bookings",
                buyer_email="bookings@bruce-grove.sch.example",
                billing_name=school.name,
                billing_address=school.billing_address,
                idempotency_key=key,
                placed_at=timezone.now(),
                subtotal=line_subtotal(event.member_price, taken),
                total=line_subtotal(event.member_price, taken),
            )
            line = OrderLine.objects.create(
                order=order,
                kind="event",
                event=event,
                description=event.title,
                quantity=taken,
                unit_price=event.member_price,
                total=line_subtotal(event.member_price, taken),
                price_reason="Member price",
                invoicing_body=event.invoicing_body or hep,
            )
            Booking.objects.bulk_create(
                Booking(
                    order_line=line,
                    event=event,
                    school=school,
                    status=BookingStatus.BOOKED,
                    delegate_name=f"Delegate {i + 1}",
                    delegate_email=f"delegate{i + 1}@bruce-grove.sch.example",
                )
                for i in range(taken)
            )
            Event.objects.filter(pk=event.pk).update(places_taken=taken)


# Each app appends its loader; they run in this order inside one transaction.
LOADERS = [load_schools, load_users, load_memberships, load_catalogue, load_events, load_nearly_full]

from memberships.demo import load_member_schools  # noqa: E402

LOADERS.append(load_member_schools)

from accounts.demo import load_account_requests  # noqa: E402

LOADERS.append(load_account_requests)

from events.demo import load_calendar_extras  # noqa: E402

LOADERS.append(load_calendar_extras)


def load_demo() -> dict:
    ctx: dict = {}
    with transaction.atomic():
        for loader in LOADERS:
            loader(ctx)
    return ctx


def demo_logins() -> list[tuple[str, str]]:
    rows = [
        ("key@demo.test", "Key user, Noel Park Primary School (Haringey, member)"),
        ("mat@demo.test", "MAT Head Office, North London Learning Trust"),
        ("head@demo.test", "Headteacher, Noel Park Primary School"),
        ("business@demo.test", "School business manager, Noel Park Primary School"),
        ("teacher@demo.test", "Teacher, Noel Park Primary School"),
        ("governor@demo.test", "Governors & Clerks, Noel Park Primary School"),
        (
            "key2@demo.test … governor2@demo.test",
            "The same roles at Bush Hill Park Primary School (Enfield, not a member)",
        ),
        ("staff@demo.test", "Site administrator (back office)"),
        ("finance@demo.test", "Accounts / finance (back office)"),
        ("organiser@demo.test", "Event organiser (back office)"),
    ]
    return rows


from billing.demo import load_billing  # noqa: E402 - each app's loader lives in its app

LOADERS.append(load_billing)
