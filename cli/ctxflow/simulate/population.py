"""Synthetic users with a coherent historical taste and a daily rhythm, derived from a seed.

A user's taste is drawn from a few archetypes (a music one and a shopping one) so that the history a
batch profile model learns from has structure: a romance-listening adult keeps listening to adult
romance, a 25-34 male gadget shopper keeps browsing electronics for men of his age.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ..core.contract import COUNTRIES, DEVICES


@dataclass(frozen=True)
class Taste:
    genres: tuple[str, ...]
    audiences: tuple[str, ...]
    categories: tuple[str, ...]
    target_gender: str
    target_age_band: str
    # car site: preferred bodies and trim, and whether this buyer is in a hurry (finance, test drive)
    car_bodies: tuple[str, ...] = ("compact",)
    car_trim: str = "standard"
    car_urgent: bool = False
    # relative weight of each kind of session this user has
    session_mix: tuple[tuple[str, float], ...] = (("music", 0.6), ("shop", 0.35), ("car", 0.05))
    explore: float = 0.1  # share of plays and views outside the taste (scenarios script pure tastes with 0)


@dataclass(frozen=True)
class User:
    user_id: str
    country: str
    device: str
    taste: Taste
    peak_hours: tuple[int, ...]  # hours (UTC) around which this user's sessions start
    sessions_per_day: float
    weekend_factor: float  # how many times more sessions on Saturday and Sunday


# (genres, audiences): music archetypes
MUSIC = (
    (("romance", "rnb", "pop"), ("adult", "general")),
    (("rock", "hiphop", "electronic"), ("general", "adult")),
    (("jazz", "classical"), ("general",)),
    (("kids_songs", "lullabies", "pop"), ("kids", "family")),
    (("pop", "country", "rock"), ("general",)),
)
# (categories, target gender, target age band): shopping archetypes
SHOPPING = (
    (("electronics", "gaming", "sports"), "male", "25-34"),
    (("fashion_women", "beauty", "jewelry"), "female", "25-34"),
    (("home", "cookware", "garden"), "female", "35-54"),
    (("fashion_men", "sports", "electronics"), "male", "35-54"),
    (("toys", "books", "fashion_women"), "unisex", "kids"),
    (("garden", "books", "home"), "unisex", "55+"),
    (("gaming", "electronics", "fashion_men"), "male", "18-24"),
)
CAR_BUYERS = (
    (("family", "suv", "van"), "standard", True),
    (("small", "compact"), "premium", False),
    (("family", "suv"), "premium", False),
    (("compact", "small"), "standard", True),
)


def make_user(user_id: str, rng: random.Random, taste: Taste | None = None) -> User:
    """One user; `taste` given by a scenario, otherwise drawn from the archetypes."""
    if taste is None:
        genres, audiences = rng.choice(MUSIC)
        categories, gender, age = rng.choice(SHOPPING)
        bodies, trim, urgent = rng.choice(CAR_BUYERS)
        car_share = rng.choice((0.0, 0.0, 0.05, 0.2))
        music = rng.uniform(0.3, 0.7)
        taste = Taste(
            genres=genres,
            audiences=audiences,
            categories=categories,
            target_gender=gender,
            target_age_band=age,
            car_bodies=bodies,
            car_trim=trim,
            car_urgent=urgent,
            session_mix=(("music", music), ("shop", 1 - music - car_share), ("car", car_share)),
        )
    evening = rng.choice((19, 20, 21, 22))
    second = rng.choice((7, 8, 12, 13, 17))  # commute or lunch break
    return User(
        user_id=user_id,
        country=rng.choice(COUNTRIES),
        device=rng.choice(DEVICES),
        taste=taste,
        peak_hours=(evening, second),
        sessions_per_day=rng.uniform(0.8, 3.0),
        weekend_factor=rng.uniform(1.0, 1.8),
    )


def make_users(seed: int, count: int) -> list[User]:
    rng = random.Random(f"users:{seed}")
    return [make_user(f"u-{seed}-{i:05d}", rng) for i in range(count)]
