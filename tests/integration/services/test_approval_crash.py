"""Crash test: the process running an approval is SIGKILLed at random moments, on Oxigraph and
on Fuseki (where the change set's one SPARQL Update is one TDB2 transaction).

Each round builds a RAG whose production holds ~50k triples and a cycle whose change set adds
~17k triples and replaces 500 descriptions, starts ``approve_cycle`` in a child process and kills
it after a random delay. Production must then be exactly the old or exactly the new triple set
(full dumps, compared as sets of N-Triples lines), right after the kill and once any request the
child had sent has finished; after ``lock_production`` recovers, the database must agree with the
store (version, cycle status, chat entity index).

The phases of an approval differ in length (the store update is short next to the entity index
refresh), so the delays are drawn in equal shares from three windows measured on a first,
uninterrupted approval: before the SPARQL Update is sent, while the store runs it, and from then
until the approval returns (recording, refresh, commit). The child reports the first two moments
by wrapping ``apply_steps``; the service itself is unchanged. Each child starts before its
round's scenario is built, so its imports do not add to the round.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select

from ferag.db.models import Cycle, CycleStatus, EntityIndexEntry, Version
from ferag.events import history
from ferag.services.changes import lock_production
from ferag.services.cycles import TASK_KIND
from ferag.settings import Settings
from ferag.store.client import TripleStore, store_from_settings
from ferag.store.space import RagSpace
from ferag.store.versions import read_marker
from graphrag_lib.pipeline import STEP_NAMES
from graphrag_lib.vocab import RagIris
from tests.conftest import Stack
from tests.factories import Account, create_account, create_rag, session_factory
from tests.workers import settings_env

pytestmark = pytest.mark.slow

ROUNDS = 21  # at least 20 kills, seven in each of the three windows
PRODUCTION_ENTITIES = 2_500  # x 8 triples
NEW_ENTITIES = 1_000
CHANGED_DESCRIPTIONS = 250

CHILD = """
import sys
from ferag.db.engine import make_engine, make_session_factory
from ferag.services.approval import approve_cycle
from ferag.settings import get_settings
from ferag.store.client import store_from_settings
from graphrag_lib.vocab import RagIris

settings = get_settings()
session_factory = make_session_factory(make_engine(settings.require("database_url")))
store = store_from_settings(settings)
import ferag.services.changes as changes
apply_steps = changes.apply_steps
def reporting_apply_steps(*args, **kwargs):
    print("sending", flush=True)
    apply_steps(*args, **kwargs)
    print("applied", flush=True)
changes.apply_steps = reporting_apply_steps
print("ready", flush=True)
rag_id, cycle_id, user_id = map(int, sys.stdin.readline().split())
iris = RagIris(str(settings.base_iri), str(rag_id))
with session_factory() as db:
    approve_cycle(db, store, iris, rag_id, cycle_id, user_id)
print("done", flush=True)
"""

TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
ENTITY = "<https://ferag.dev/ns#Entity>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
DESCRIPTION = "<http://purl.org/dc/terms/description>"
PROPERTIES = [f"<https://ferag.dev/ns#{p}>" for p in ("key", "normalisedLabel", "text")]
DERIVED = "<http://www.w3.org/ns/prov#wasDerivedFrom>"


def entity_lines(iris: RagIris, name: str, description: str) -> list[str]:
    e = f"<{iris.entity(name)}>"
    return [
        f"{e} {TYPE} {ENTITY} .",
        f'{e} {LABEL} "{name}" .',
        f'{e} {DESCRIPTION} "{description}" .',
        *(f'{e} {p} "{name} {i}" .' for i, p in enumerate(PROPERTIES)),
        f"{e} {DERIVED} <{iris.passage(name)}> .",
    ]


@dataclass
class Scenario:
    rag_id: int
    cycle_id: int
    iris: RagIris
    old: set[str]
    new: set[str]
    changed_entities: set[str]


def build_scenario(
    client: httpx.Client, owner: Account, settings: Settings, store: TripleStore
) -> Scenario:
    rag_id = create_rag(client, owner)
    iris = RagIris(str(settings.base_iri), str(rag_id))
    names = [f"p{i}" for i in range(PRODUCTION_ENTITIES)]
    old = {line for n in names for line in entity_lines(iris, n, f"{n} as it was")}
    fresh = [f"n{i}" for i in range(NEW_ENTITIES)]
    add = {line for n in fresh for line in entity_lines(iris, n, f"{n} is new")}
    remove: set[str] = set()
    for name in random.sample(names, CHANGED_DESCRIPTIONS):
        remove.add(f'<{iris.entity(name)}> {DESCRIPTION} "{name} as it was" .')
        add.add(f'<{iris.entity(name)}> {DESCRIPTION} "{name} as it is now" .')
    graphs = {"prod": old, "cycle/{}/add": add, "cycle/{}/remove": remove}
    with session_factory(settings.require("database_url")).begin() as db:
        cycle = Cycle(
            rag_id=rag_id,
            status=CycleStatus.review,
            created_by=owner.id,
            steps={step: {"status": "done"} for step in STEP_NAMES},
        )
        db.add(cycle)
        db.flush()
        history.create_task(db, rag_id, TASK_KIND, cycle_id=cycle.id)
        cycle_id = cycle.id
    for name, lines in graphs.items():
        graph = str(iris.graph(name.format(cycle_id)))
        store.put_graph(rag_id, graph, ("\n".join(sorted(lines)) + "\n").encode())
    changed = {line.split(" ")[0][1:-1] for line in add | remove}
    return Scenario(rag_id, cycle_id, iris, old, (old - remove) | add, changed)


def production(store: TripleStore, scenario: Scenario) -> set[str]:
    data = store.get_graph(scenario.rag_id, str(scenario.iris.graph("prod"))).decode()
    return {line for line in data.splitlines() if line.strip()}


def start_child(settings: Settings) -> subprocess.Popen[str]:
    """An approving process, started before its scenario is built: its imports (seconds) run
    meanwhile. It approves what ``go`` names."""
    return subprocess.Popen(
        [sys.executable, "-c", CHILD],
        env=settings_env(settings, FERAG_LOG_LEVEL="WARNING"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def wait_ready(child: subprocess.Popen[str]) -> None:
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"


def go(child: subprocess.Popen[str], scenario: Scenario, owner: Account) -> None:
    """Have the (ready) child approve the scenario's cycle, now."""
    assert child.stdin is not None
    child.stdin.write(f"{scenario.rag_id} {scenario.cycle_id} {owner.id}\n")
    child.stdin.flush()


def check_recovered(
    settings: Settings, store: TripleStore, scenario: Scenario, is_new: bool
) -> str:
    """Recover, then check the database agrees with the store; returns what recovery did."""
    with session_factory(settings.require("database_url"))() as db:
        before = db.scalar(select(Version.number).where(Version.rag_id == scenario.rag_id))
        current = lock_production(db, RagSpace(store, scenario.rag_id, scenario.iris))
        db.commit()
        cycle = db.get(Cycle, scenario.cycle_id)
        indexed = set(
            db.scalars(
                select(EntityIndexEntry.entity_iri).where(
                    EntityIndexEntry.rag_id == scenario.rag_id
                )
            )
        )
    assert cycle is not None
    assert current == read_marker(RagSpace(store, scenario.rag_id, scenario.iris)).number
    if is_new:
        assert (current, cycle.status) == (1, CycleStatus.approved)
        assert indexed == scenario.changed_entities
        return "new (recovered)" if before is None else "new"
    assert (current, cycle.status) == (0, CycleStatus.review)
    assert indexed == set()
    return "old"


def calibrate(
    client: httpx.Client, owner: Account, settings: Settings, store: TripleStore
) -> tuple[float, float, float]:
    """Seconds from "go" until the update is sent, until it returned, until approval returned."""
    child = start_child(settings)
    scenario = build_scenario(client, owner, settings, store)
    wait_ready(child)
    assert child.stdout is not None
    started = time.monotonic()
    go(child, scenario, owner)
    moments = []
    for expected in ("sending", "applied", "done"):
        assert child.stdout.readline().strip() == expected
        moments.append(time.monotonic() - started)
    assert child.wait(10) == 0 and production(store, scenario) == scenario.new
    return moments[0], moments[1], moments[2]


def test_production_is_always_exactly_old_or_new_when_the_approver_is_killed(
    each_stack: Stack,
) -> None:
    settings = each_stack.settings
    store = store_from_settings(settings)
    client = httpx.Client(base_url=each_stack.api_url, timeout=60)
    owner = create_account(client)
    phases = calibrate(client, owner, settings, store)
    windows = [(0.0, phases[0]), (phases[0], phases[1]), (phases[1], phases[2] * 1.1)]

    outcomes: Counter[str] = Counter()
    for round_number in range(ROUNDS):
        child = start_child(settings)
        scenario = build_scenario(client, owner, settings, store)
        wait_ready(child)
        go(child, scenario, owner)
        time.sleep(random.uniform(*windows[round_number % len(windows)]))
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        right_after = production(store, scenario)
        assert right_after in (scenario.old, scenario.new)
        time.sleep(phases[2])  # a request the child sent may still be running in the store
        settled = production(store, scenario)
        assert settled in (scenario.old, scenario.new)
        outcomes[check_recovered(settings, store, scenario, settled == scenario.new)] += 1

    client.close()
    store.close()
    print(f"{each_stack.kind}: approval phases {phases} s; {ROUNDS} kills: {dict(outcomes)}")
    assert outcomes["old"] >= 1 and outcomes["new"] + outcomes["new (recovered)"] >= 1
