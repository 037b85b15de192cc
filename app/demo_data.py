"""A realistic, deterministic data set of citizens: for `demo load`, the benchmark and tests."""

from __future__ import annotations

import random
from datetime import date

DEFAULT_SEED = 20190819

# fmt: off
# Cyrillic names come first and carry most of the weight (see _town_weights); the rest mix
# ASCII with accented Latin so non-ASCII strings travel through every layer of the service.
TOWNS = (
    "Москва", "Санкт-Петербург", "Новосибирск", "Екатеринбург", "Казань", "Нижний Новгород",
    "Челябинск", "Самара", "Омск", "Ростов-на-Дону", "Уфа", "Красноярск", "Воронеж", "Пермь",
    "Волгоград", "Краснодар", "Тюмень", "Иркутск", "Ярославль", "Владивосток", "Томск",
    "Калининград", "London", "Berlin", "Paris", "New York", "Tokyo", "Amsterdam", "Prague",
    "Zürich", "München", "Kraków", "São Paulo", "Reykjavík", "Montréal", "Düsseldorf",
)

STREETS = (
    "Ленина", "Тверская", "Льва Толстого", "Пушкина", "Гагарина", "Мира", "Советская",
    "Садовая", "Лесная", "Школьная", "Набережная", "Проспект Победы", "Невский проспект",
    "Main Street", "High Street", "Baker Street", "Broadway", "Unter den Linden",
    "Rue de Rivoli", "Bahnhofstraße", "Rua Augusta", "Oak Avenue", "Station Road",
)

BUILDING_SUFFIXES = ("", "", "", "", "к1", "к2", " корп. 3", " лит. Б", "A", "B", "/2")

MALE_FIRST = (
    "Иван", "Алексей", "Дмитрий", "Сергей", "Андрей", "Михаил", "Николай", "Павел",
    "Артём", "Фёдор", "John", "James", "Oliver", "Lukas", "José", "François",
)
FEMALE_FIRST = (
    "Мария", "Анна", "Елена", "Ольга", "Татьяна", "Наталья", "Екатерина", "Дарья",
    "Алёна", "Юлия", "Emma", "Olivia", "Sophie", "Chloé", "Zoë", "Inês",
)
SURNAMES = (
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
    "Новиков", "Фёдоров", "Морозов", "Волков", "Лебедев", "Семёнов", "Ильин", "Пушкин",
    "Smith", "Johnson", "Brown", "Müller", "Schmidt", "Dubois", "García", "Nowak",
)
FEMININE_ENDINGS = {"ов": "ова", "ев": "ева", "ёв": "ёва", "ин": "ина"}
# fmt: on

BIRTH_FIRST = date(1940, 1, 1)
BIRTH_LAST = date(2020, 12, 31)
# Leap-day birthdays are an edge case for age and birthday-month logic: make them common
# enough (about 1 in 200) that every run of 10,000 citizens has dozens.
LEAP_DAY_SHARE = 0.005
LEAP_YEARS = tuple(y for y in range(BIRTH_FIRST.year, BIRTH_LAST.year + 1) if y % 4 == 0)

# The pair the service's tests and the PATCH step rely on; always present.
FIXED_PAIR = (1, 2)


def generate_citizens(n: int = 10_000, pairs: int = 1_000, seed: int = DEFAULT_SEED) -> list[dict]:
    """Return n citizens (ids 1..n) with `pairs` random mutual kinships plus 1<->2."""
    if n < 2:
        raise ValueError("need at least 2 citizens for the 1<->2 kinship")
    max_random_pairs = n * (n - 1) // 2 - 1
    if not 0 <= pairs <= max_random_pairs:
        raise ValueError(f"pairs must be between 0 and {max_random_pairs} for {n} citizens")
    rng = random.Random(seed)
    town_weights = _town_weights()
    citizens = [_citizen(rng, cid, town_weights) for cid in range(1, n + 1)]
    for a, b in _kinship_pairs(rng, n, pairs):
        citizens[a - 1]["relatives"].append(b)
        citizens[b - 1]["relatives"].append(a)
    for citizen in citizens:
        citizen["relatives"].sort()
    return citizens


def _town_weights() -> list[float]:
    # Real populations are heavily skewed; a Zipf-like spread gives the per-town statistics
    # both crowded and sparse groups instead of 36 equal ones.
    return [1 / rank for rank in range(1, len(TOWNS) + 1)]


def _citizen(rng: random.Random, citizen_id: int, town_weights: list[float]) -> dict:
    gender = rng.choice(("male", "female"))
    return {
        "citizen_id": citizen_id,
        "town": rng.choices(TOWNS, weights=town_weights)[0],
        "street": rng.choice(STREETS),
        "building": f"{rng.randint(1, 250)}{rng.choice(BUILDING_SUFFIXES)}",
        "apartment": rng.randint(1, 600),
        "name": _name(rng, gender),
        "birth_date": _birth_date(rng).isoformat(),
        "gender": gender,
        "relatives": [],
    }


def _name(rng: random.Random, gender: str) -> str:
    surname = rng.choice(SURNAMES)
    if gender == "female":
        first = rng.choice(FEMALE_FIRST)
        surname = _feminine(surname)
    else:
        first = rng.choice(MALE_FIRST)
    return f"{surname} {first}"


def _feminine(surname: str) -> str:
    # Russian surnames take a feminine ending; foreign ones stay as they are.
    for masculine, feminine in FEMININE_ENDINGS.items():
        if surname.endswith(masculine):
            return surname[: -len(masculine)] + feminine
    return surname


def _birth_date(rng: random.Random) -> date:
    if rng.random() < LEAP_DAY_SHARE:
        return date(rng.choice(LEAP_YEARS), 2, 29)
    return date.fromordinal(rng.randint(BIRTH_FIRST.toordinal(), BIRTH_LAST.toordinal()))


def _kinship_pairs(rng: random.Random, n: int, pairs: int) -> list[tuple[int, int]]:
    # Kept in draw order (not set order) so the result depends on the seed alone.
    seen = {FIXED_PAIR}
    ordered = [FIXED_PAIR]
    while len(ordered) < pairs + 1:
        a, b = rng.randint(1, n), rng.randint(1, n)
        pair = (min(a, b), max(a, b))
        if a != b and pair not in seen:
            seen.add(pair)
            ordered.append(pair)
    return ordered
