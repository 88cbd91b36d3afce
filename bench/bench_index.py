"""Bench the index step: GraphRAG 3.3.0's standard pipeline against the offline stand-in.

For generated mixed English/Russian prose of ~10 KB, ~100 KB and ~1 MB it measures wall time per
GraphRAG workflow and in total, and the model traffic per 1,000 input tokens (chat calls, prompt
and completion tokens, embedding calls and tokens) for ferag's ``IndexConfig`` defaults next to
GraphRAG's own defaults (``IndexConfig.graphrag_defaults``: what ``graphrag init`` writes).

The stand-in runs in a child process (like a model server would), behind a counter that reads
every request and response body and counts tokens with tiktoken ``o200k_base``. Each run starts
with an empty cache, so every request reaches the stand-in. A small warm-up run first pays the
one-off import costs (litellm ~5 s, lancedb ~2 s).

    .venv/bin/python bench/bench_index.py --sizes 10KB,100KB            # write docs/benchmarks.md
    .venv/bin/python bench/bench_index.py --sizes 1MB                   # adds to the same results
"""

# ruff: noqa: RUF001

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
from results import write_section

# Set before graphrag or litellm is imported (both are imported lazily below).
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _bundled_tiktoken_dir() -> str:
    """litellm ships the o200k_base/cl100k_base files; tiktoken must not download them."""
    import importlib.util

    spec = importlib.util.find_spec("litellm")
    assert spec is not None and spec.submodule_search_locations
    return os.path.join(spec.submodule_search_locations[0], "litellm_core_utils", "tokenizers")


os.environ.setdefault("TIKTOKEN_CACHE_DIR", _bundled_tiktoken_dir())

ROOT = Path(__file__).resolve().parents[1]
SIZES = {"10KB": 10_000, "100KB": 100_000, "1MB": 1_000_000}
DOCUMENT_BYTES = 5_000
RESULTS = Path(tempfile.gettempdir()) / "ferag-bench-index.json"
EMBEDDING_DIM = 384
# The stand-in rule that answered a chat request → the GraphRAG step that sent it.
STEPS = {
    "graphrag-extract-graph": "extract",
    "graphrag-glean-continue": "glean",
    "graphrag-glean-loop": "glean",
    "graphrag-summarize-descriptions": "summarize",
    "graphrag-community-report": "report",
}


# --- the stand-in, counted -------------------------------------------------------------------


class CountingApp:
    """ASGI wrapper: per endpoint, requests and o200k tokens in and out; GET /bench/stats."""

    def __init__(self, app: Any) -> None:
        import tiktoken

        self.app = app
        self.encoding = tiktoken.get_encoding("o200k_base")
        self.stats: Counter[str] = Counter()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self._own(scope, receive, send)
            return
        body, reply, rule = bytearray(), bytearray(), [""]

        async def receive_body() -> Any:
            message = await receive()
            body.extend(message.get("body", b""))
            return message

        async def send_body(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                rule[0] = headers.get(b"x-ferag-standin-rule", b"").decode()
            if message["type"] == "http.response.body":
                reply.extend(message.get("body", b""))
            await send(message)

        await self.app(scope, receive_body, send_body)
        self._count(scope["path"], bytes(body), bytes(reply), rule[0])

    def _count(self, path: str, body: bytes, reply: bytes, rule: str) -> None:
        request, response = json.loads(body or b"{}"), json.loads(reply or b"{}")
        if path.endswith("/chat/completions"):
            prompt = "\n".join(str(m.get("content") or "") for m in request.get("messages", []))
            content = response.get("choices", [{}])[0].get("message", {}).get("content") or ""
            prompt_tokens = len(self.encoding.encode(prompt))
            completion_tokens = len(self.encoding.encode(content))
            for prefix in ("", f"{STEPS.get(rule, 'other')}:"):
                self.stats[f"{prefix}chat_calls"] += 1
                self.stats[f"{prefix}prompt_tokens"] += prompt_tokens
                self.stats[f"{prefix}completion_tokens"] += completion_tokens
        elif path.endswith("/embeddings"):
            texts = request.get("input", [])
            texts = [texts] if isinstance(texts, str) else texts
            self.stats["embedding_calls"] += 1
            self.stats["embedding_texts"] += len(texts)
            self.stats["embedding_tokens"] += sum(len(self.encoding.encode(t)) for t in texts)

    async def _own(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/bench/stats":
            payload = json.dumps(dict(self.stats)).encode()
            if scope["method"] == "POST":
                self.stats.clear()
            headers = [(b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": payload})
            return
        await self.app(scope, receive, send)


def serve(port: int) -> None:
    import uvicorn

    from ferag.llm.standin import create_app

    app = create_app(embedding_dim=EMBEDDING_DIM)  # every rule: GraphRAG, schema, chat
    uvicorn.run(CountingApp(app), host="127.0.0.1", port=port, log_level="warning")


class StandinProcess:
    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, __file__, "--serve", str(self.port)]
        self.process = subprocess.Popen(command, cwd=ROOT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/health", timeout=1).raise_for_status()
                return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.process.kill()
        raise RuntimeError("the stand-in did not start")

    def take_stats(self) -> dict[str, int]:
        """The counts since the last call, resetting them."""
        return dict(httpx.post(f"{self.url}/bench/stats", timeout=10).json())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


# --- the corpus ------------------------------------------------------------------------------

PEOPLE_EN = [
    "John Smith",
    "Maria Garcia",
    "David Chen",
    "Sarah Johnson",
    "Peter Novak",
    "Laura Bianchi",
    "Michael Brown",
    "Emma Wilson",
    "Daniel Kim",
    "Olivia Martin",
    "George Adams",
    "Helen Clarke",
]
ORGS_EN = [
    "Acme Corp",
    "Northwind Traders LLC",
    "Globex Inc",
    "Initech",
    "Umbrella Group",
    "Stark Industries",
    "Wayne Enterprises",
    "Blue Harbor Bank",
    "Vertex Labs",
    "Orion Systems",
]
PLACES_EN = ["Berlin", "London", "Paris", "Madrid", "Toronto", "Chicago", "Vienna", "Prague"]
TOPICS_EN = [
    "supply contract",
    "joint venture",
    "logistics platform",
    "battery plant",
    "research grant",
    "data centre",
    "pilot project",
    "distribution deal",
]

# Russian names in nominative, genitive, dative, instrumental and prepositional case.
PEOPLE_RU = [
    ("Иван Петров", "Ивана Петрова", "Ивану Петрову", "Иваном Петровым", "Иване Петрове"),
    ("Анна Кузнецова", "Анны Кузнецовой", "Анне Кузнецовой", "Анной Кузнецовой", "Анне Кузнецовой"),
    ("Сергей Волков", "Сергея Волкова", "Сергею Волкову", "Сергеем Волковым", "Сергее Волкове"),
    ("Ольга Смирнова", "Ольги Смирновой", "Ольге Смирновой", "Ольгой Смирновой", "Ольге Смирновой"),
    ("Дмитрий Орлов", "Дмитрия Орлова", "Дмитрию Орлову", "Дмитрием Орловым", "Дмитрии Орлове"),
    ("Елена Соколова", "Елены Соколовой", "Елене Соколовой", "Еленой Соколовой", "Елене Соколовой"),
    (
        "Михаил Лебедев",
        "Михаила Лебедева",
        "Михаилу Лебедеву",
        "Михаилом Лебедевым",
        "Михаиле Лебедеве",
    ),
    (
        "Татьяна Морозова",
        "Татьяны Морозовой",
        "Татьяне Морозовой",
        "Татьяной Морозовой",
        "Татьяне Морозовой",
    ),
]
ORGS_RU = [
    ("«Ромашка»", "«Ромашки»", "«Ромашке»", "«Ромашкой»", "«Ромашке»"),
    ("«Вектор»", "«Вектора»", "«Вектору»", "«Вектором»", "«Векторе»"),
    ("«Северсталь»", "«Северстали»", "«Северстали»", "«Северсталью»", "«Северстали»"),
    ("«Интеграл»", "«Интеграла»", "«Интегралу»", "«Интегралом»", "«Интеграле»"),
    ("ООО «Кедр»", "ООО «Кедр»", "ООО «Кедр»", "ООО «Кедр»", "ООО «Кедр»"),
    ("АО «Сибирь»", "АО «Сибирь»", "АО «Сибирь»", "АО «Сибирь»", "АО «Сибирь»"),
]
PLACES_RU = [
    ("Москва", "Москвы", "Москве"),
    ("Казань", "Казани", "Казани"),
    ("Новосибирск", "Новосибирска", "Новосибирске"),
    ("Самара", "Самары", "Самаре"),
    ("Томск", "Томска", "Томске"),
    ("Екатеринбург", "Екатеринбурга", "Екатеринбурге"),
]
TOPICS_RU = [
    "договор поставки",
    "совместное предприятие",
    "логистическую платформу",
    "новый завод",
    "исследовательский грант",
    "центр обработки данных",
]

SENTENCES_EN = [
    "{p1}, the chief executive of {o1}, met {p2} in {place} to discuss the {topic}.",
    "{o1} signed a {topic} with {o2} in {place} in {year}.",
    "According to {p1}, the {topic} will cost about {num} million euros.",
    "{p2} leads the {place} office of {o2}, which employs {num} people.",
    "Analysts expect {o1} to expand the {topic} beyond {place} next year.",
    "{p1} and {p2} presented the results of the {topic} at a conference in {place}.",
    "The board of {o2} approved the {topic} after a long debate.",
    "Local officials in {place} welcomed the investment by {o1}.",
    "In {year}, {o1} hired {p2} to run its research programme.",
    "{p1} said the partnership between {o1} and {o2} would last at least {num} years.",
    "Shares of {o2} rose by {num} percent after the announcement.",
    "Critics argued that the {topic} gives {o1} too much influence in {place}.",
]
SENTENCES_RU = [
    "{p1_nom}, генеральный директор компании {o1_nom}, встретился с {p2_ins} в {place_pre}.",
    "Компания {o1_nom} подписала {topic} с {o2_ins} в {year} году.",
    "По словам {p1_gen}, проект обойдётся примерно в {num} миллионов рублей.",
    "{p2_nom} руководит отделением {o2_gen} в {place_pre}, где работает {num} человек.",
    "Аналитики ожидают, что {o1_nom} расширит проект за пределы {place_gen}.",
    "{p1_nom} и {p2_nom} представили результаты работы на форуме в {place_pre}.",
    "Совет директоров {o2_gen} одобрил {topic} после долгого обсуждения.",
    "Власти {place_gen} приветствовали инвестиции {o1_gen}.",
    "В {year} году {o1_nom} пригласила {p2_gen} возглавить исследовательскую программу.",
    "{p1_nom} заявил, что сотрудничество {o1_gen} и {o2_gen} продлится не менее {num} лет.",
    "Акции {o2_gen} выросли на {num} процентов после объявления.",
    "Эксперты считают, что {o1_nom} получит слишком большое влияние в {place_pre}.",
]


def _zipf(rng: random.Random, items: list[Any]) -> Any:
    weights = [1 / (rank + 1) for rank in range(len(items))]
    return rng.choices(items, weights)[0]


def _english_sentence(rng: random.Random) -> str:
    p1, p2 = rng.sample(PEOPLE_EN[:6], 2) if rng.random() < 0.7 else rng.sample(PEOPLE_EN, 2)
    o1, o2 = _zipf(rng, ORGS_EN), _zipf(rng, ORGS_EN)
    return rng.choice(SENTENCES_EN).format(
        p1=p1,
        p2=p2,
        o1=o1,
        o2=o2,
        place=_zipf(rng, PLACES_EN),
        topic=rng.choice(TOPICS_EN),
        year=rng.randint(2015, 2025),
        num=rng.randint(2, 900),
    )


def _russian_sentence(rng: random.Random) -> str:
    p1, p2 = _zipf(rng, PEOPLE_RU), _zipf(rng, PEOPLE_RU)
    o1, o2 = _zipf(rng, ORGS_RU), _zipf(rng, ORGS_RU)
    place = _zipf(rng, PLACES_RU)
    return rng.choice(SENTENCES_RU).format(
        p1_nom=p1[0],
        p1_gen=p1[1],
        p2_nom=p2[0],
        p2_gen=p2[1],
        p2_ins=p2[3],
        o1_nom=o1[0],
        o1_gen=o1[1],
        o2_gen=o2[1],
        o2_ins=o2[3],
        place_gen=place[1],
        place_pre=place[2],
        topic=rng.choice(TOPICS_RU),
        year=rng.randint(2015, 2025),
        num=rng.randint(2, 900),
    )


def generate_corpus(total_bytes: int, seed: int = 7) -> list[tuple[str, str]]:
    """(path, text) documents of ~5 KB, alternating English and Russian, ``total_bytes`` in all."""
    rng = random.Random(seed)
    documents: list[tuple[str, str]] = []
    size = 0
    while size < total_bytes:
        russian = len(documents) % 2 == 1
        sentence = _russian_sentence if russian else _english_sentence
        paragraphs: list[str] = []
        while sum(len(p.encode()) for p in paragraphs) < min(DOCUMENT_BYTES, total_bytes - size):
            paragraphs.append(" ".join(sentence(rng) for _ in range(rng.randint(3, 6))))
        text = "\n\n".join(paragraphs)
        folder = "ru" if russian else "en"
        documents.append((f"{folder}/report-{len(documents):04d}.txt", text))
        size += len(text.encode())
    return documents


# --- runs ------------------------------------------------------------------------------------


@dataclass
class RunResult:
    size: str
    config: str
    documents: int
    input_bytes: int
    input_tokens: int
    seconds: float
    workflow_seconds: dict[str, float]
    tables: dict[str, int]
    traffic: dict[str, int] = field(default_factory=dict)

    def per_1k(self, key: str) -> float:
        return 1000 * self.traffic.get(key, 0) / self.input_tokens


def _source_documents(corpus: list[tuple[str, str]]) -> list[Any]:
    from graphrag_lib.documents import SourceDocument

    return [
        SourceDocument(
            path=path,
            title=Path(path).stem,
            format="txt",
            text=text,
            encoding="utf-8",
            date=None,
            size=len(text.encode()),
            sha256=hashlib.sha256(text.encode()).hexdigest(),
        )
        for path, text in corpus
    ]


def _config(name: str, url: str, cache_dir: Path) -> Any:
    from graphrag_lib.index import IndexConfig
    from graphrag_lib.llm import LlmEndpoint

    endpoint = LlmEndpoint(
        base_url=f"{url}/v1",
        chat_model="ferag-standin-chat",
        embedding_model="ferag-standin-embed",
        embedding_dim=EMBEDDING_DIM,
        max_retries=2,
        max_retry_wait_s=2,
    )
    if name == "graphrag":
        return IndexConfig.graphrag_defaults(endpoint, cache_dir)
    return IndexConfig(endpoint=endpoint, cache_dir=cache_dir)


def run_once(standin: StandinProcess, size: str, config_name: str, scratch: Path) -> RunResult:
    import tiktoken

    from graphrag_lib.index import index_documents

    corpus = generate_corpus(SIZES[size])
    encoding = tiktoken.get_encoding("o200k_base")
    shutil.rmtree(scratch, ignore_errors=True)
    config = _config(config_name, standin.url, scratch / "cache")
    standin.take_stats()
    started = time.perf_counter()
    result = index_documents(_source_documents(corpus), scratch / "work", config)
    seconds = time.perf_counter() - started
    return RunResult(
        size=size,
        config=config_name,
        documents=len(corpus),
        input_bytes=sum(len(text.encode()) for _path, text in corpus),
        input_tokens=sum(len(encoding.encode(text)) for _path, text in corpus),
        seconds=round(seconds, 2),
        workflow_seconds={k: round(v, 2) for k, v in result.workflow_seconds.items()},
        tables=result.table_rows,
        traffic=standin.take_stats(),
    )


def warm_up(standin: StandinProcess, scratch: Path) -> None:
    from graphrag_lib.index import index_documents

    corpus = [("warm/up.txt", "Acme Corp met John Smith in Berlin. John Smith left Acme Corp.")]
    index_documents(
        _source_documents(corpus),
        scratch / "work",
        _config("ferag", standin.url, scratch / "cache"),
    )


# --- report ----------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    import graphrag

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "nproc": str(os.cpu_count()),
        "memory": f"{memory_kb / 1024 / 1024:.1f} GiB",
        "cpu": cpu,
        "python": platform.python_version(),
        "graphrag": getattr(graphrag, "__version__", "3.3.0"),
        "os": platform.platform(),
    }


def _timing_table(results: list[RunResult]) -> list[str]:
    workflows = list(dict.fromkeys(w for r in results for w in r.workflow_seconds))
    header = ["workflow", *[f"{r.size} {r.config}" for r in results]]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for workflow in workflows:
        cells = [
            f"{r.workflow_seconds[workflow]:.2f}" if workflow in r.workflow_seconds else "—"
            for r in results
        ]
        lines.append(f"| {workflow} | " + " | ".join(cells) + " |")
    lines.append(
        "| **total (wall)** | " + " | ".join(f"**{r.seconds:.1f}**" for r in results) + " |"
    )
    return lines


def _traffic_table(results: list[RunResult]) -> list[str]:
    header = [
        "size",
        "config",
        "docs",
        "input tokens",
        "text units",
        "entities",
        "relationships",
        "communities",
        "chat calls /1k",
        "prompt tok /1k",
        "completion tok /1k",
        "embedding calls /1k",
        "embedded tok /1k",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in results:
        cells = [
            r.size,
            r.config,
            str(r.documents),
            f"{r.input_tokens:,}",
            str(r.tables.get("text_units", 0)),
            str(r.tables.get("entities", 0)),
            str(r.tables.get("relationships", 0)),
            str(r.tables.get("communities", 0)),
            f"{r.per_1k('chat_calls'):.2f}",
            f"{r.per_1k('prompt_tokens'):,.0f}",
            f"{r.per_1k('completion_tokens'):,.0f}",
            f"{r.per_1k('embedding_calls'):.2f}",
            f"{r.per_1k('embedding_tokens'):,.0f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _steps_table(results: list[RunResult]) -> list[str]:
    steps = ("extract", "glean", "summarize", "report")
    header = ["size", "config", *[f"{step} calls / prompt tok" for step in steps]]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in results:
        cells = [
            f"{r.per_1k(f'{step}:chat_calls'):.2f} / {r.per_1k(f'{step}:prompt_tokens'):,.0f}"
            for step in steps
        ]
        lines.append(f"| {r.size} | {r.config} | " + " | ".join(cells) + " |")
    return lines


def render(results: list[RunResult], host: dict[str, str], notes: list[str]) -> str:
    order = {size: n for n, size in enumerate(SIZES)}
    results = sorted(results, key=lambda r: (order.get(r.size, 9), r.config != "ferag"))
    lines = [
        "## Indexing",
        "",
        "`bench/bench_index.py`: GraphRAG 3.3.0's standard pipeline (`graphrag_lib.index`) on "
        "generated mixed English/Russian prose (≈5 KB documents alternating English and "
        "Russian, a recurring cast of people, organisations and places, Russian names in "
        "several cases) against the **offline stand-in** (rule-based, not a model) in a "
        "child process. Each run starts with an empty LLM cache; a warm-up run pays the "
        "one-off imports first. Tokens are counted at the stand-in with tiktoken `o200k_base`.",
        "",
        "- **ferag**: `IndexConfig()` defaults — chunks 1200/100 tokens, no gleanings, "
        "summaries ≤300 words, reports ≤1000 words from ≤4000 context tokens, every related "
        "entity clustered, entity-description embeddings only, 4 requests in flight.",
        "- **graphrag**: `IndexConfig.graphrag_defaults()` — what `graphrag init` writes: "
        "1 gleaning, summaries ≤500 words, reports ≤2000 words from ≤8000 tokens, largest "
        "connected component only, three embeddings, 25 requests in flight.",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in host.items()) + ".",
        "",
        "### Wall time per workflow (seconds)",
        "",
        *_timing_table(results),
        "",
        "### Model traffic per 1,000 input tokens",
        "",
        *_traffic_table(results),
        "",
        "### Chat calls and prompt tokens per 1,000 input tokens, by GraphRAG step",
        "",
        *_steps_table(results),
        "",
        "What carries over to a real model: the number of calls and the prompt tokens (they "
        "depend on the pipeline and on how many entities and communities extraction finds). "
        "What does not: completion tokens and time — the stand-in answers in milliseconds with "
        "short, extractive text and answers every gleaning with `<|COMPLETE|>` at once, so a "
        "model spends far more on both; with a local model the extraction calls dominate the "
        "wall time.",
    ]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"


# --- main ------------------------------------------------------------------------------------


def _load(path: Path) -> tuple[list[RunResult], list[str]]:
    if not path.exists():
        return [], []
    data = json.loads(path.read_text())
    return [RunResult(**r) for r in data["results"]], data.get("notes", [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="10KB,100KB")
    parser.add_argument("--configs", default="ferag,graphrag")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--write", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--note", action="append", default=[], help="a line for the report")
    parser.add_argument("--render", action="store_true", help="only write the saved results")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    results, notes = _load(args.results)
    notes = list(dict.fromkeys([*notes, *args.note]))
    if args.render:
        args.results.write_text(
            json.dumps({"results": [asdict(r) for r in results], "notes": notes}, indent=1)
        )
        write_section(args.write, "## Indexing", render(results, machine(), notes))
        return
    standin = StandinProcess()
    scratch = Path(tempfile.mkdtemp(prefix="ferag-bench-index-"))
    try:
        warm_up(standin, scratch / "warm")
        for size in args.sizes.split(","):
            for config in args.configs.split(","):
                result = run_once(standin, size, config, scratch / f"{size}-{config}")
                print(json.dumps(asdict(result)), flush=True)
                results = [r for r in results if (r.size, r.config) != (size, config)]
                results.append(result)
                payload = {"results": [asdict(r) for r in results], "notes": notes}
                args.results.write_text(json.dumps(payload, indent=1))
                write_section(args.write, "## Indexing", render(results, machine(), notes))
    finally:
        standin.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
