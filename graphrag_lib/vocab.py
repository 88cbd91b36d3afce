"""ferag's RDF vocabulary, the IRIs minted per RAG, and the keys inside them.

``FERAG`` is a closed namespace (``https://ferag.dev/ns#``): a misspelt term raises
``AttributeError`` instead of minting a new IRI. ``RagIris`` mints every IRI of one RAG
(``{base}rag/{rag_id}/entity/{key}``, ``…/ontology#{LocalName}``, …, see ``docs/rdf-model.md``).
Keys are deterministic: an entity's key depends on its normalised label only, so the same entity
keeps its IRI across cycles. Imports nothing from the service.
"""

# ruff: noqa: N815 (RDF property names are camelCase by convention)
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DefinedNamespace

FERAG_NS = "https://ferag.dev/ns#"


class FERAG(DefinedNamespace):
    """ferag's own terms; everything else comes from rdf, rdfs, owl, skos, dcterms and prov."""

    _NS = Namespace(FERAG_NS)
    _fail = True

    # classes
    Entity: URIRef  # something the documents talk about; also typed with an ontology class
    Relation: URIRef  # a relation statement node (also an rdf:Statement)
    Document: URIRef  # an uploaded document
    Passage: URIRef  # a GraphRAG text unit: the span of a document answers cite
    Community: URIRef  # a GraphRAG community of entities
    CommunityReport: URIRef  # GraphRAG's report on one community
    Finding: URIRef  # one finding of a community report
    DescriptionRecord: URIRef  # a superseded entity description, with its provenance
    Merge: URIRef  # a resolution decision: names merged into one entity, or a flagged pair
    NameRecord: URIRef  # a name an entity stopped using (a rename), with when it stopped
    Version: URIRef  # a production version (in the RAG's `meta` graph): when it was approved
    Violation: URIRef  # a consistency-gate finding about a change set (docs/gate.md)
    # properties
    relatedTo: URIRef  # fallback relation property when the ontology has no better one
    key: URIRef  # the resource's key (the last segment of its IRI)
    normalisedLabel: URIRef  # normalise_label() of each label and alias: the lookup index
    text: URIRef  # the text of a passage or of a superseded description
    order: URIRef  # position of a passage in its document (0-based) or of a finding in a report
    tokenCount: URIRef  # GraphRAG's token count of a passage
    inDocument: URIRef  # passage → its document
    path: URIRef  # a document's path inside the upload, e.g. reports/2024/q1.txt
    folderPath: URIRef  # the folder part of that path, e.g. reports/2024 (absent at the root)
    documentDate: URIRef  # the user-supplied date of a document
    weight: URIRef  # GraphRAG's relation weight
    level: URIRef  # community level (0 = top)
    member: URIRef  # community → entity
    parentCommunity: URIRef  # community → its parent community
    reportOf: URIRef  # community report → its community
    rank: URIRef  # GraphRAG's importance rating of a community report
    summary: URIRef  # summary of a report or of a finding
    explanation: URIRef  # explanation of a finding
    finding: URIRef  # community report → finding
    supersededDescription: URIRef  # entity → DescriptionRecord of a replaced description
    # entity resolution (docs/merge.md)
    mergeStatus: URIRef  # Merge → "merged" or "flagged" (a possible duplicate kept apart)
    mergeScope: URIRef  # Merge → "production" (into an existing entity) or "cycle"
    survivor: URIRef  # Merge → the entity that stays (keeps its IRI)
    absorbed: URIRef  # Merge → the IRI the merged names had on their own (or the flagged other)
    absorbedLabel: URIRef  # Merge → a name the absorbed entity brought
    score: URIRef  # Merge → the combined score in [0, 1]
    evidence: URIRef  # Merge → JSON (rdf:JSON) of the signals and their scores
    decidedBy: URIRef  # Merge → "rules", "llm" or "reviewer"
    reason: URIRef  # Merge → a one-line reason (the LLM's or the reviewer's)
    formerName: URIRef  # entity → NameRecord of a name it no longer uses
    validUntil: URIRef  # NameRecord, Relation → when it stopped being true (valid time)
    # facts over time (docs/rdf-model.md, "Time"): valid time from the documents, transaction
    # time from the approvals that recorded and invalidated a statement
    validFrom: URIRef  # Relation → when it became true (xsd:gYear, xsd:gYearMonth or xsd:date)
    validFromSource: URIRef  # → "text", "document-metadata", "file-name" or "upload"
    validUntilSource: URIRef  # → the same choices, for validUntil
    documentDateSource: URIRef  # Document → where documentDate came from (same choices)
    recordedIn: URIRef  # Relation, DescriptionRecord → the ferag:Version that added it
    invalidatedIn: URIRef  # Relation, DescriptionRecord → the ferag:Version that ended it
    supersededBy: URIRef  # Relation → the statement that contradicted it
    endEvidence: URIRef  # Relation → a passage that says it ended (prov:wasDerivedFrom-like)
    endDescription: URIRef  # Relation → what the documents say about its end
    invalidationReason: URIRef  # Relation → one line: why it was invalidated
    staleEvidence: URIRef  # Relation → a passage that may say it ended (the judge was unsure)
    versionNumber: URIRef  # Version → its number (xsd:integer)
    overrideReason: URIRef  # Version → why an owner approved despite gate violations
    # production versions (service bookkeeping in the RAG's `meta` graph, never in `prod`)
    productionVersion: URIRef  # prod graph → the number of the version it holds (xsd:integer)
    versionRecord: URIRef  # prod graph → JSON of the change that made that version (recovery)


# --- labels and keys ---------------------------------------------------------------------------

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_CYRILLIC_LETTERS = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ"
# "-": the letter is dropped (hard and soft signs)
_LATIN_SPELLINGS = (
    "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya i yi ye g"
)
_TRANSLIT = dict(zip(_CYRILLIC_LETTERS, _LATIN_SPELLINGS.split(" "), strict=True))
_YO, _YE = "\N{CYRILLIC SMALL LETTER IO}", "\N{CYRILLIC SMALL LETTER IE}"


def normalise_label(label: str) -> str:
    """NFKC, casefold, Cyrillic yo as ye, punctuation/symbols as spaces, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", label).casefold().replace(_YO, _YE)
    kept = (" " if unicodedata.category(ch)[0] in "PSZC" else ch for ch in text)
    return " ".join("".join(kept).split())


def transliterate(text: str) -> str:
    """Cyrillic letters to Latin (a readable approximation, not a standard); others unchanged."""
    out = []
    for ch in text:
        latin = _TRANSLIT.get(ch.lower())
        if latin is None:
            out.append(ch)
        elif latin != "-":
            out.append(latin.capitalize() if ch.isupper() and latin else latin)
    return "".join(out)


def slug(text: str, max_length: int = 48) -> str:
    """Lower-case ASCII words of ``text`` (Cyrillic transliterated) joined by ``-``."""
    ascii_text = transliterate(normalise_label(text))
    words = re.findall(r"[a-z0-9]+", ascii_text)
    return "-".join(words)[:max_length].strip("-")


def hash_key(*parts: str, length: int = 10) -> str:
    """A short hex digest of ``parts`` (joined with NUL so part boundaries count)."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:length]


def entity_key(label: str, qualifier: str | None = None) -> str:
    """``{slug}-{hash}`` of the normalised label; ``qualifier`` (a class name) separates
    same-label entities of incompatible classes."""
    normalised = normalise_label(label)
    parts = (normalised,) if qualifier is None else (normalised, qualifier)
    readable = slug(normalised) if qualifier is None else slug(f"{normalised} {qualifier}")
    return f"{readable}-{hash_key(*parts)}" if readable else hash_key(*parts)


def camel_case(text: str, upper_first: bool = True) -> str:
    """An ASCII CamelCase local name: ``"works for"`` → ``WorksFor`` (``worksFor``)."""
    words = []
    for word in re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", text)):
        ascii_word = re.sub(
            r"[^A-Za-z0-9]", "", transliterate(word.lower() if word.isupper() else word)
        )
        words.append(ascii_word[:1].upper() + ascii_word[1:])
    joined = "".join(words) or "Thing"
    if joined[0].isdigit():
        joined = "T" + joined
    return joined if upper_first else joined[:1].lower() + joined[1:]


def text_literal(text: str) -> Literal:
    """``text`` tagged ``@ru`` when it contains Cyrillic letters, otherwise a plain string."""
    return Literal(text, lang="ru") if _CYRILLIC.search(text) else Literal(text)


# --- IRIs ----------------------------------------------------------------------------------------

_KEY = re.compile(r"[A-Za-z0-9._~-]+")
_GRAPH_NAME = re.compile(r"[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*")
_KINDS = (
    "entity",
    "relation",
    "document",
    "passage",
    "community",
    "report",
    "description",
    "merge",
    "name",
)


@dataclass(frozen=True)
class RagIris:
    """Every IRI of one RAG: ``{base_iri}rag/{rag_id}/…``; ``base_iri`` gets a trailing ``/``."""

    base_iri: str
    rag_id: str

    def __post_init__(self) -> None:
        if not self.base_iri.endswith("/"):
            object.__setattr__(self, "base_iri", self.base_iri + "/")
        if not _KEY.fullmatch(str(self.rag_id)):
            raise ValueError(f"rag id {self.rag_id!r} is not IRI-safe; use letters, digits, -_.~")

    @classmethod
    def of(cls, iri: str) -> RagIris | None:
        """The ``RagIris`` that minted ``iri`` (any ``{base}rag/{id}/…`` IRI), if it is one."""
        match = re.match(r"^(?P<base>.+/)rag/(?P<rag>[A-Za-z0-9._~-]+)/(entity|ontology#)", iri)
        return cls(match["base"], match["rag"]) if match else None

    @property
    def prefix(self) -> str:
        return f"{self.base_iri}rag/{self.rag_id}/"

    @property
    def ontology(self) -> Namespace:
        """The RAG's ontology namespace, ``…/ontology#``."""
        return Namespace(f"{self.prefix}ontology#")

    def _mint(self, kind: str, key: str) -> URIRef:
        if not _KEY.fullmatch(key):
            raise ValueError(f"{kind} key {key!r} is not IRI-safe")
        return URIRef(f"{self.prefix}{kind}/{key}")

    def entity(self, key: str) -> URIRef:
        return self._mint("entity", key)

    def relation(self, key: str) -> URIRef:
        return self._mint("relation", key)

    def document(self, key: str) -> URIRef:
        return self._mint("document", key)

    def passage(self, key: str) -> URIRef:
        return self._mint("passage", key)

    def community(self, key: str) -> URIRef:
        return self._mint("community", key)

    def report(self, key: str) -> URIRef:
        return self._mint("report", key)

    def description_record(self, key: str) -> URIRef:
        return self._mint("description", key)

    def merge_record(self, key: str) -> URIRef:
        return self._mint("merge", key)

    def name_record(self, key: str) -> URIRef:
        return self._mint("name", key)

    def version(self, number: int) -> URIRef:
        """The production version ``number`` (approval ``n`` makes version ``n``)."""
        return self._mint("version", str(number))

    def ontology_term(self, local_name: str) -> URIRef:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", local_name):
            raise ValueError(f"ontology local name {local_name!r} is not a plain identifier")
        return URIRef(f"{self.prefix}ontology#{local_name}")

    def graph(self, name: str) -> URIRef:
        """A named graph: ``prod``, ``cycle/{cid}/add``, …"""
        if not _GRAPH_NAME.fullmatch(name):
            raise ValueError(f"graph name {name!r} is not IRI-safe")
        return URIRef(f"{self.prefix}graph/{name}")

    def key_of(self, iri: URIRef, kind: str) -> str | None:
        """The key of ``iri`` if it is this RAG's ``kind`` IRI (``entity``, ``relation``, …)."""
        if kind not in _KINDS:
            raise ValueError(f"unknown IRI kind {kind!r}; one of {', '.join(_KINDS)}")
        head = f"{self.prefix}{kind}/"
        return str(iri)[len(head) :] if str(iri).startswith(head) else None

    def local_name(self, iri: URIRef) -> str | None:
        """The local name of ``iri`` if it is in this RAG's ontology namespace."""
        head = str(self.ontology)
        return str(iri)[len(head) :] if str(iri).startswith(head) else None


def relation_key(subject_key: str, predicate: URIRef, object_key: str) -> str:
    """The key of the statement ``subject predicate object`` (entity keys, predicate IRI)."""
    return hash_key(subject_key, str(predicate), object_key, length=16)


def document_key(path: str) -> str:
    """``{slug}-{hash}`` of a document's upload path (unique per cycle, stable across cycles)."""
    readable = slug(path)
    return f"{readable}-{hash_key(path)}" if readable else hash_key(path)


def bind_prefixes(graph: Graph, iris: RagIris) -> None:
    """Prefixes ``ferag`` and ``ont`` (the RAG's ontology) for readable Turtle."""
    graph.bind("ferag", FERAG_NS)
    graph.bind("ont", str(iris.ontology))
