"""The simulator's catalogue: what its users browse and play beyond what the contract fixes.

The contract leaves `category` free text and lists every genre and action; these are the subsets and
values the simulator's shop, car site and listeners draw from.
"""

from __future__ import annotations

from ..core.contract import GENRES

# what a listener drifts into outside their taste: never the genres that signal a family context
EVERYDAY_GENRES = tuple(g for g in GENRES if g not in ("christmas", "kids_songs", "lullabies"))
SHOP_ACTIONS = ("view", "search", "add_to_cart", "purchase")
CAR_ACTIONS = ("view", "configure", "finance", "test_drive")
# free text in the contract: the simulator's shop catalogue
CATEGORIES = (
    "electronics",
    "gaming",
    "sports",
    "fashion_men",
    "fashion_women",
    "jewelry",
    "garden",
    "home",
    "toys",
    "books",
    "beauty",
    "cookware",
)
CAR_CATEGORY = "car"  # the `category` of every car-site page view
