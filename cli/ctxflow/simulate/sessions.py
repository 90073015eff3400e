"""One user session as a list of events: music listening, shop browsing or car configuring.

Used both by background traffic and by the scenarios (which pass their own scripted tastes), so the
two never drift apart in what a plausible event looks like.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ..core.contract import BODY_TYPES, GENDERS, PLACEMENTS, TRIMS
from ..core.events import Event, money
from .campaigns import Campaign, funnel
from .catalogue import CAR_CATEGORY, CATEGORIES, EVERYDAY_GENRES
from .ids import Ids
from .population import User

# typical price range per shop category, and per car body (standard trim; premium adds 25-40 %)
PRICES = {
    "electronics": (29, 1499),
    "gaming": (19, 599),
    "sports": (15, 400),
    "fashion_men": (12, 250),
    "fashion_women": (12, 300),
    "jewelry": (25, 2000),
    "garden": (8, 600),
    "home": (10, 900),
    "toys": (5, 150),
    "books": (6, 60),
    "beauty": (5, 120),
    "cookware": (10, 350),
}
CAR_PRICES = {"small": 16_000, "compact": 22_000, "family": 31_000, "suv": 39_000, "van": 35_000}
KIDS_GENRES = {"kids_songs": "kids", "lullabies": "kids", "christmas": "family"}


@dataclass
class SessionContext:
    """What every session builder needs: a seeded RNG, id streams and the campaigns that may show ads."""

    rng: random.Random
    ids: Ids
    campaigns: list[Campaign] = field(default_factory=list)


def play(ctx: SessionContext, user: User, ts: int, genre: str, audience: str) -> Event:
    value = {
        "event_id": ctx.ids.next(),
        "user_id": user.user_id,
        "ts": ts,
        "content_id": f"trk-{genre}-{ctx.rng.randint(1, 400):04d}",
        "genre": genre,
        "audience": audience,
        "country": user.country,
        "device": user.device,
    }
    return Event("plays", user.user_id, value)


def ad_request(ctx: SessionContext, user: User, ts: int, placement: str) -> Event:
    value = {"request_id": ctx.ids.next(), "user_id": user.user_id, "ts": ts, "placement": placement}
    return Event("ad_requests", user.user_id, {**value, "country": user.country})


def page_view(
    ctx: SessionContext,
    user: User,
    session_id: str,
    ts: int,
    action: str,
    category: str,
    gender: str,
    age_band: str,
    body_type: str | None = None,
    trim: str | None = None,
) -> Event:
    rng = ctx.rng
    if body_type is None:
        low, high = PRICES[category]
        price, item = money(rng.uniform(low, high)), f"{category}-{rng.randint(1, 300):04d}"
    else:
        base = CAR_PRICES[body_type] * (rng.uniform(1.25, 1.4) if trim == "premium" else rng.uniform(0.95, 1.1))
        price, item = money(round(base, -1) - 10), f"car-{body_type}-{trim}-{rng.randint(1, 6)}"
    value = {
        "event_id": ctx.ids.next(),
        "user_id": user.user_id,
        "session_id": session_id,
        "ts": ts,
        "site": "shop" if body_type is None else "car",
        "action": action,
        "item_id": item,
        "category": category,
        "price": price,
        "target_gender": gender,
        "target_age_band": age_band,
        "body_type": body_type,
        "trim": trim,
    }
    return Event("page_views", user.user_id, value)


def _ad_break(ctx: SessionContext, user: User, ts: int, placement: str) -> list[Event]:
    out = [ad_request(ctx, user, ts, placement)]
    if ctx.campaigns:
        out += funnel(ctx.rng.choice(ctx.campaigns), user.user_id, ts + 200, ctx.rng, ctx.ids)
    return out


def music_session(ctx: SessionContext, user: User, start: int) -> list[Event]:
    """A listening session: 3-30 plays of the user's genres, a song every ~3 minutes, an ad break every ~4."""
    rng, taste = ctx.rng, user.taste
    out, ts = [], start
    for i in range(min(30, 3 + int(rng.expovariate(1 / 9)))):
        genre = rng.choice(taste.genres) if rng.random() >= taste.explore else rng.choice(EVERYDAY_GENRES)
        audience = KIDS_GENRES.get(genre) or rng.choice(taste.audiences)
        out.append(play(ctx, user, ts, genre, audience))
        if i % 4 == 3:
            out += _ad_break(ctx, user, ts + 1_000, "audio_break")
        ts += rng.randint(120_000, 260_000)
    return out


def shop_session(ctx: SessionContext, user: User, start: int, session_id: str) -> list[Event]:
    """Browsing the shop: 2-20 views and searches of the usual categories, sometimes a cart and a purchase."""
    rng, taste = ctx.rng, user.taste
    out = _ad_break(ctx, user, start, rng.choice(PLACEMENTS[1:]))
    ts = start + 500
    for _ in range(min(20, 2 + int(rng.expovariate(1 / 6)))):
        usual = rng.random() >= taste.explore
        category = rng.choice(taste.categories) if usual else rng.choice(CATEGORIES)
        gender = taste.target_gender if usual else rng.choice(GENDERS)
        action = rng.choices(("view", "search", "add_to_cart"), (0.75, 0.17, 0.08))[0]
        out.append(page_view(ctx, user, session_id, ts, action, category, gender, taste.target_age_band))
        if action == "add_to_cart" and rng.random() < 0.35:
            ts += rng.randint(20_000, 90_000)
            out.append(page_view(ctx, user, session_id, ts, "purchase", category, gender, taste.target_age_band))
        ts += rng.randint(8_000, 90_000)
    return out


def car_session(ctx: SessionContext, user: User, start: int, session_id: str) -> list[Event]:
    """Car site: views of the preferred bodies and trim; an urgent buyer also asks for finance and a test drive."""
    rng, taste = ctx.rng, user.taste
    out, ts = [], start
    for i in range(rng.randint(4, 12)):
        usual = rng.random() >= taste.explore
        body = rng.choice(taste.car_bodies) if usual else rng.choice(BODY_TYPES)
        trim = taste.car_trim if usual else rng.choice(TRIMS)
        action = "configure" if (taste.car_trim == "premium" and i % 3 == 2) else "view"
        out.append(page_view(ctx, user, session_id, ts, action, CAR_CATEGORY, "unisex", "any", body, trim))
        ts += rng.randint(15_000, 120_000)
    if taste.car_urgent:
        body, trim = taste.car_bodies[0], taste.car_trim
        for action in ("finance", "test_drive"):
            out.append(page_view(ctx, user, session_id, ts, action, CAR_CATEGORY, "unisex", "any", body, trim))
            ts += rng.randint(30_000, 180_000)
    return out


def session(ctx: SessionContext, user: User, start: int, kind: str | None = None) -> list[Event]:
    """A session of `kind` (drawn from the user's mix when None), starting at `start` (epoch ms)."""
    if kind is None:
        kinds, weights = zip(*user.taste.session_mix, strict=True)
        kind = ctx.rng.choices(kinds, weights)[0]
    if kind == "music":
        return music_session(ctx, user, start)
    session_id = f"s-{ctx.ids.next()[:18]}"
    return (shop_session if kind == "shop" else car_session)(ctx, user, start, session_id)
