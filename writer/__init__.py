"""The results-night writer: from declarations to checked stories on a UK local elections night.

The pipeline, one subpackage per stage:

- ``writer.ingest``  reads election directories (and later feeds and the HTTP API) into declarations;
- ``writer.compare`` compares declarations with the baseline: wards, councils, control, tallies;
- ``writer.detect``  applies editable rules to the comparisons and ranks the resulting events;
- ``writer.engine``  runs declarations through compare and detect, keeping state between them.
"""

__version__ = "0.1.0"
