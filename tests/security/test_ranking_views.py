"""Issue #9 item 6: a document one side cannot see never changes what the other side gets.

BM25 statistics, title words and the routing of "the document the question names" are computed per
visibility view. On the old code they were computed over every visibility of the engagement, so a
client-only document changed a vendor's (and a shared channel's) scores, hits and answers: a weak
oracle on hidden titles and terms.
"""

from __future__ import annotations

from pathlib import Path

from knowledge.base import KnowledgeBase
from tests.conftest import write

MSA = """# Master Services Agreement

1.1 Services. The Vendor shall provide customer care services to the Client.

4.2 Termination for convenience. Either party may terminate this Agreement on ninety (90) days' written notice.

7.1 Fees. The Client shall pay the Fees within thirty (30) days of invoice.
"""

SLA = """# Schedule B - Service Level Agreement

4.1 Severity 1 Incidents. The Vendor shall restore the affected service within 4 hours.

5.3 Credit Cap. Service Credits shall not exceed 12% of the Monthly Fees.
"""

VENDOR_PLAN = """# Meridian Delivery Plan

2.1 Staffing. Meridian staffs the programme from Manila with a notice period of two weeks for agents.
"""

# A client-only memo built to disturb the other views as much as possible: its title uses the words of
# the questions below, it repeats their terms (changing every BM25 weight) and adds rare ones.
CLIENT_MEMO = """---
title: Master Services Agreement Termination Notice Strategy
---

# Master Services Agreement Termination Notice Strategy

1. Termination notice. Our walk-away plan: serve termination notice on the Master Services Agreement if
the credit cap stays at 12%; notice period ninety days; Zanzibar-class escalation with quokka review.

2. Fees and Service Credits. Fees, credits, cap, notice, termination, severity, restore, services.
"""

QUESTIONS = [
    "What notice period applies to termination for convenience?",
    "In the Master Services Agreement: how much notice is needed to terminate?",
    "what is the credit cap in the service level agreement?",
    "how fast must a severity 1 incident be restored?",
    "When are the fees due?",
    "what is the notice period for Meridian agents?",
    "zanzibar quokka walk-away",
]


def _seen(kb: KnowledgeBase, side: str, *, digits: int | None = None) -> list[object]:
    """Everything a side's channel gets back for the questions: exactly (floats by repr), or to `digits`."""

    def number(x: float) -> str:
        return repr(x) if digits is None else f"{x:.{digits}f}"

    out: list[object] = []
    for q in QUESTIONS:
        hits = kb.search(q, engagement="acme", side=side, k=8)
        out.append([(h.chunk.id, h.chunk.start, number(h.score), repr(h.lexical), number(h.similarity)) for h in hits])
        answer = kb.answer_question(q, engagement="acme", side=side)
        out.append((answer.found, answer.text, answer.mode, repr(answer.as_dict())))
    return out


def test_a_client_only_document_changes_nothing_for_the_vendor_or_shared_channels(
    fake_kb: KnowledgeBase, tmp_path: Path
) -> None:
    shared = [write(tmp_path / "shared" / "01-msa.md", MSA), write(tmp_path / "shared" / "03-sla.md", SLA)]
    assert not fake_kb.index(shared, engagement="acme").failed
    plan = write(tmp_path / "vendor" / "meridian-plan.md", VENDOR_PLAN)
    assert not fake_kb.index([plan], engagement="acme", visibility="vendor-only").failed

    before = {side: _seen(fake_kb, side) for side in ("vendor", "shared")}

    memo = write(tmp_path / "client" / "00-renewal-memo.md", CLIENT_MEMO)
    assert fake_kb.index([memo], engagement="acme", visibility="client-only").indexed

    # the client sees the memo at once (its view was rebuilt) ...
    client_hits = fake_kb.search("zanzibar quokka walk-away", engagement="acme", side="client", k=3)
    assert client_hits and client_hits[0].chunk.document == "00-renewal-memo.md"
    # ... and the other views are exactly what they were, scores and all
    for side in ("vendor", "shared"):
        assert _seen(fake_kb, side) == before[side], side

    # Forgetting it changes nothing either, and the client stops finding it. (A delete makes Chroma move
    # its vectors into its HNSW index, which computes the same cosines in float32: the dense similarity
    # may then differ in the 8th digit. That is Chroma's arithmetic, not a statistic of ours.)
    assert fake_kb.forget("acme", ["00-renewal-memo.md"]) == ["00-renewal-memo.md"]
    hits = fake_kb.search("zanzibar quokka walk-away", engagement="acme", side="client", k=3)
    assert all(h.chunk.document != "00-renewal-memo.md" for h in hits)
    for side in ("vendor", "shared"):
        assert _seen(fake_kb, side, digits=6) == [_rounded(item) for item in before[side]], side


def test_views_follow_changes_to_their_own_documents(fake_kb: KnowledgeBase, tmp_path: Path) -> None:
    """The per-view caches are keyed by the view's documents: a change the side can see is seen at once."""
    msa = write(tmp_path / "01-msa.md", MSA)
    fake_kb.index([msa], engagement="acme")
    assert fake_kb.search("quokka review", engagement="acme", side="vendor", k=3)[0].lexical == 0.0

    write(tmp_path / "01-msa.md", MSA + "\n9.9 Review. Any quokka review happens yearly.\n")
    assert fake_kb.index([msa], engagement="acme").indexed
    top = fake_kb.search("quokka review", engagement="acme", side="vendor", k=3)[0]
    assert "quokka" in top.chunk.text and top.lexical > 0

    fake_kb.index([msa], engagement="acme", visibility="client-only")  # tightened: gone from the vendor's view
    assert all("quokka" not in h.chunk.text for h in fake_kb.search("quokka", engagement="acme", side="vendor"))
    assert "quokka" in fake_kb.search("quokka review", engagement="acme", side="client", k=1)[0].chunk.text


def _rounded(item: object) -> object:
    """A recorded exact result with its dense similarity and fused score shown to six digits."""
    if isinstance(item, list) and item and isinstance(item[0], tuple):
        return [
            (cid, start, f"{float(score):.6f}", lexical, f"{float(sim):.6f}")
            for cid, start, score, lexical, sim in item
        ]
    return item
