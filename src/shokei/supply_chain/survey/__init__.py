"""Supply-chain survey campaigns (サプライチェーン調査): the map from its real source.

An official opens a campaign for a weapon system and asks its primes; each respondent answers
for its own suppliers (validated completely at the door, then applied as a supply import) and
forwards the survey to the tier below; at closing, silence becomes a `SurveyUnanswered` event
that the risk feature turns into a `survey_unanswered` risk event.

- `domain`: the pure rules (answer validation, statuses, the supplier base counts, the event);
- `sheets`: answers and templates as XLSX (openpyxl) or CSV;
- `services`: the use cases; `schemas`: what they return.
"""
