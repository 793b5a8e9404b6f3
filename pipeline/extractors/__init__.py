"""One extractor per category, run in this order (later ones read earlier results)."""
from pipeline import segment
from pipeline.extractors import counts, dates, exemptions, field_lists, references, tables

STAGES = {
    "segment": segment.run,
    "tables": tables.run,
    "field_lists": field_lists.run,
    "dates": dates.run,
    "references": references.run,
    "exemptions": exemptions.run,
    "counts": counts.run,
}
