"""`python -m catalog.seed [COUNT]`: fill the catalogue with generated products.

The rows go in through the ORM, so auto-sync queues their search work in the same
transactions; run `scrypath worker --import catalog.models` to deliver it.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator

from catalog.database import open_database
from catalog.models import Product
from catalog.settings import from_environment

SHOPS = ("north", "south")
CATEGORIES = {
    "lighting": ("desk lamp", "floor lamp", "reading light", "lantern"),
    "kitchen": ("kettle", "chef knife", "saucepan", "espresso cup"),
    "garden": ("watering can", "planter", "hose reel", "garden light"),
}
BRANDS = ("Northwind", "Fjord", "Acorn", "Copperline")
FINISHES = ("brushed steel", "oak", "linen", "recycled")


def products(count: int, seed: int = 7) -> Iterator[Product]:
    """`count` products spread over the shops, the same ones for the same seed."""
    rng = random.Random(seed)
    for number in range(1, count + 1):
        category = rng.choice(sorted(CATEGORIES))
        noun = rng.choice(CATEGORIES[category])
        stock = rng.choice((0, 0, 3, 12, 40))
        yield Product(
            id=number,
            shop=SHOPS[number % len(SHOPS)],
            name=f"{rng.choice(FINISHES)} {noun}",
            description=f"A {noun} for every day.",
            brand=rng.choice(BRANDS),
            category=category,
            price=round(rng.uniform(4, 180), 2),
            stock=stock,
            in_stock=stock > 0,
        )


def main(argv: list[str]) -> int:
    count = int(argv[0]) if argv else 200
    database = open_database(from_environment())
    try:
        with database.sessions() as session:
            session.add_all(products(count))
            session.commit()
    finally:
        database.close()
    print(f"Added {count} products; their search work is queued for `scrypath worker`.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
