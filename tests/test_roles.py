"""Speaker roles from appositives, pre-modifiers, relative clauses and 'identified as'."""

from __future__ import annotations

from pathlib import Path

import pytest

from storydiff.claims.entities import resolve_entities
from storydiff.claims.nlp import load_nlp
from storydiff.claims.roles import document_roles, merge_roles, roles_for

DATA = Path(__file__).parent / "data" / "claims"


@pytest.mark.parametrize(
    ("text", "name", "roles"),
    [
        ("White House press secretary Sean Spicer said on Monday that taxes would fall.", "Sean Spicer",
         ["White House press secretary"]),
        ("Lawmakers said that Jane Doe, who is the mayor of Springfield, resigned.", "Jane Doe",
         ["mayor of Springfield"]),
        ("Maria Zakharova, a spokeswoman for the foreign ministry, told reporters nothing.", "Maria Zakharova",
         ["spokeswoman for the foreign ministry"]),
        ("Russian President Vladimir Putin visited a command point.", "Vladimir Putin", ["Russian President"]),
        ("The deal was signed by pro-Western President Jan Novak on Friday.", "Jan Novak", ["pro-Western President"]),
        ("According to Borisov, a regional official cited in local media, the bridge fell.", "Borisov",
         ["regional official"]),
        ("The engineer, identified as Tomasz Wrona, said the dam held.", "Tomasz Wrona", ["engineer"]),
        ("On Tuesday, a spokeswoman said the port was open.", "Tuesday", []),
        ("Lviv, a large city in the west, was quiet.", "Lviv", []),
    ],
)
def test_roles_for(text: str, name: str, roles: list[str]) -> None:
    doc = load_nlp()(text)
    start = text.index(name)
    assert roles_for(doc, start, start + len(name)) == roles


def test_description_takes_the_fullest_same_head_description() -> None:
    text = (
        "According to a senior aide to the prime minister, talks stalled. This aide, who requested "
        "anonymity, blamed the opposition. The aide, identified as Carla Mendes, said a vote was unlikely."
    )
    doc = load_nlp()(text)
    start = text.index("Carla Mendes")
    assert roles_for(doc, start, start + len("Carla Mendes")) == ["senior aide to the prime minister"]


def test_example_roles_per_document() -> None:
    nlp = load_nlp()
    docs = [(n, nlp((DATA / f"{n}.txt").read_text(encoding="utf-8"))) for n in ("report-a", "report-b")]
    entities, mention_map = resolve_entities(docs)
    (speaker,) = [e for e in entities if any(m.text == "Kimakovsky" for m in e.mentions)]
    a = document_roles(docs[0][1], mention_map, "report-a")
    b = document_roles(docs[1][1], mention_map, "report-b")
    # The headline's "Local Official" and the body's "a local official" are one role.
    assert a[speaker.id] == ["local official"]
    assert b[speaker.id] == ["military adviser to the head of the DPR"]


def test_merge_roles_keeps_every_distinct_role() -> None:
    assert merge_roles(["Local Official", "local official", "adviser", "military adviser to the head",
                        "spokesman"]) == ["local official", "military adviser to the head", "spokesman"]


def test_role_spans_point_into_the_text() -> None:
    from storydiff.claims.roles import document_role_spans

    text = "Maria Zakharova, a spokeswoman for the foreign ministry, told reporters nothing."
    doc = load_nlp()(text)
    start = text.index("Maria")
    spans = document_role_spans(doc, {("d", start, start + len("Maria Zakharova")): "E1"}, "d")
    ((role, s, e),) = spans["E1"]
    assert role == text[s:e] == "spokeswoman for the foreign ministry"


def test_sentence_initial_role_is_lower_cased() -> None:
    text = "Engineer Ivan Petrenkoff said only one berth was damaged."
    doc = load_nlp()(text)
    assert roles_for(doc, 9, 9 + len("Ivan Petrenkoff")) == ["engineer"]
    plural = "Analysts suggest that a visit could help."
    assert roles_for(load_nlp()(plural), 0, 8) == ["analysts"]
