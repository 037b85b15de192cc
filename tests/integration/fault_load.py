"""Client threads that keep a live server busy with mixed reads and writes through a fault.

Each client owns one import and is the only one to write it, so every read it makes can be
judged against its own accepted writes (read-your-writes), and the import's final rows are
known exactly. A write refused with 503 is sent again until accepted, as a client honouring
Retry-After would: the PATCHes are idempotent, so the outcome is the same whether or not the
refused attempt had committed.
"""

import random
import threading
import time
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

import requests

from harness.expected import ATTRIBUTES, ExpectedImport
from harness.oracle import served_percentiles
from tests.factories import citizen
from tests.integration.accepted_writes import Write
from tests.jsonapi_client import MEDIA_TYPE, check_response

REQUEST_TIMEOUT = 10  # seconds; longer is a hang, whatever the answer would have been
RETRY_PAUSE = 0.05  # shorter than Retry-After, to keep the pressure on during the fault
TOWNS = ("Москва", "Керчь", "Тверь")
CITIZENS = 8


@dataclass
class Outcome:
    method: str
    path: str
    started: float  # time.monotonic()
    finished: float
    status: int | None  # None: no HTTP answer at all
    problem: str | None  # what is wrong with the answer; None when it is acceptable

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300 and self.problem is None


def citizens_of(rng: random.Random) -> list[dict]:
    """A small import with kinship pairs and one citizen who is their own relative."""
    people = [
        citizen(n, [], town=rng.choice(TOWNS), birth_date=random_birth_date(rng))
        for n in range(1, CITIZENS + 1)
    ]
    for left, right in ((1, 2), (2, 3), (4, 5), (8, 8)):
        people[left - 1]["relatives"].append(right)
        if right != left:
            people[right - 1]["relatives"].append(left)
    return people


def random_birth_date(rng: random.Random) -> str:
    return date(rng.randint(1940, 2010), rng.randint(1, 12), rng.randint(1, 28)).isoformat()


class LoadClient:
    """One client thread: its import, its accepted writes and every answer it got."""

    def __init__(self, base: str, token: str, import_id: int, citizens: list[dict], seed: int):
        self.base = base
        self.headers = {
            "Accept": MEDIA_TYPE,
            "Content-Type": MEDIA_TYPE,
            "Authorization": f"Bearer {token}",
        }
        self.import_id = import_id
        self.expected = ExpectedImport.from_import(import_id, citizens)
        self.rng = random.Random(seed)
        self.outcomes: list[Outcome] = []
        self.session: requests.Session | None = None

    def run(self, stop: threading.Event, give_up_at: float) -> None:
        """Alternate writes and reads until `stop`; stop early on an unacceptable answer."""
        with requests.Session() as self.session:
            while not stop.is_set() and not self.failed:
                if self.rng.random() < 0.5:
                    self.write(self.random_write(), give_up_at)
                else:
                    self.rng.choice((self.read_birthdays, self.read_percentiles, self.read_one))()

    @property
    def failed(self) -> bool:
        return any(outcome.problem for outcome in self.outcomes)

    def random_write(self) -> Write:
        citizen_id = self.rng.randint(1, CITIZENS)
        if self.rng.random() < 0.5:
            others = self.rng.sample(range(1, CITIZENS + 1), self.rng.randint(0, 3))
            return Write(citizen_id, relatives=tuple(others))
        attributes = {
            "town": self.rng.choice(TOWNS),
            "birth_date": random_birth_date(self.rng),
            "name": f"Write {self.import_id}.{len(self.outcomes)}",
        }
        return Write(citizen_id, attributes=attributes)

    def write(self, write: Write, give_up_at: float) -> None:
        path, document = write.request(self.import_id)
        while True:
            outcome, _body = self.send("PATCH", path, document)
            if outcome.ok:
                write.accepted(self.expected)
                return
            if outcome.status != 503:
                return  # an unacceptable answer, recorded; the test fails on it
            self.expected.refused_writes += 1
            if time.monotonic() > give_up_at:
                outcome.problem = "still refused (503) when the test gave up"
                return
            time.sleep(RETRY_PAUSE)

    def read_birthdays(self) -> None:
        outcome, body = self.send("GET", f"/imports/{self.import_id}/citizens/birthdays")
        if outcome.ok and body["data"]["attributes"]["months"] != self.expected.birthdays():
            outcome.problem = f"birthdays differ from the accepted writes: {body}"

    def read_percentiles(self) -> None:
        outcome, body = self.send("GET", f"/imports/{self.import_id}/towns/stat/percentile/age")
        if not outcome.ok:
            return
        as_of = date.fromisoformat(body["meta"]["as_of"])
        if served_percentiles(body) != self.expected.percentiles(as_of):
            outcome.problem = f"percentiles differ from the accepted writes: {body}"

    def read_one(self) -> None:
        citizen_id = self.rng.randint(1, CITIZENS)
        outcome, body = self.send("GET", f"/imports/{self.import_id}/citizens/{citizen_id}")
        if not outcome.ok:
            return
        attributes = {name: body["data"]["attributes"][name] for name in ATTRIBUTES}
        linkage = body["data"]["relationships"]["relatives"]["data"]
        relatives = {int(resource["id"].split(".")[1]) for resource in linkage}
        if (attributes, relatives) != (
            self.expected.citizens[citizen_id],
            self.expected.visible_relatives(citizen_id),
        ):
            outcome.problem = f"citizen {citizen_id} differs from the accepted writes: {body}"

    def send(self, method: str, path: str, document=None) -> tuple[Outcome, dict | None]:
        """One request; an answer other than 2xx or a JSON:API 503 is recorded as a problem."""
        started = time.monotonic()
        outcome = Outcome(method, path, started, started, None, None)
        self.outcomes.append(outcome)
        try:
            response = self.session.request(
                method,
                self.base + path,
                json=document,
                headers=self.headers,
                timeout=REQUEST_TIMEOUT,
            )
        except requests.RequestException as error:
            outcome.finished = time.monotonic()
            outcome.problem = f"no answer: {error!r}"
            return outcome, None
        outcome.finished = time.monotonic()
        outcome.status = response.status_code
        try:
            # The JSON:API checks of every test client: media type, schema, no leaked internals.
            reply = check_response(
                SimpleNamespace(
                    status_code=response.status_code,
                    headers=response.headers,
                    data=response.content,
                )
            )
        except AssertionError as error:
            outcome.problem = f"not a JSON:API answer ({error}): {response.text[:500]}"
            return outcome, None
        if outcome.status == 503 and response.headers.get("Retry-After") != "1":
            outcome.problem = f"a 503 without Retry-After: 1: {reply.body}"
        elif outcome.status != 503 and not 200 <= outcome.status < 300:
            outcome.problem = f"{outcome.status}: {reply.body}"
        return outcome, reply.body
