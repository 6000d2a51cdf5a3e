"""Authoring: lessons into notebooks (lesson), the release (release), README-derived docs and
the diagram."""
