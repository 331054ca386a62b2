"""The matching engine: scorers, combiner, calibration, decision and language detection."""
