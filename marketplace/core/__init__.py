"""Site-wide pages that belong to no domain: health check, language switch, about the demo data."""
