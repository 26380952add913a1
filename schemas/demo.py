"""Schema of the demo data files (`app/catalogue/data/demo/*.json`, format 1): what the demo
data of one regime looks like. See app/catalogue/data/README.md."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.domain import IncidentKind, PartyRole, Visibility

DEMO_FORMAT = 1
#: The six UN languages a demo State writes in: every text is given in each.
LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh")
#: What a demo incident shows (see the README); `undeclared` is made from a demo report.
SIGNALS = ("unreported", "late", "acknowledged", "restricted", "undeclared")
#: Who a party or a vessel's flag is: the drawn port's State, the regime's target, the i-th
#: drawn flag State, or (`undeclared` only) the State of the demo report.
PARTY_REF = r"^(port|target|reporter|flag:[0-2])$"


class _Strict(Schema):
    class Meta:
        unknown = "raise"


#: What a template may name: a number `{n}` (and `{m}`, at most `{n}`), the `{year}` of
#: receipt and the `{regime}` code.
TEMPLATE_VALUES = {"n": 1, "m": 1, "year": 2000, "regime": "R"}
#: What a scenario's summary may name besides its own draws.
SUMMARY_VALUES = {"vessel": "V", "vessel2": "W", "place": "P", "state": "S", "resolution": 1,
                  "obligation": "O"}


def _fills(values: dict[str, Any]) -> Callable[[str], None]:
    """A validator: the template names only `values` (e.g. `{n}`)."""
    def check(template: str) -> None:
        try:
            template.format(**values)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValidationError(f"the template cannot be filled ({exc!r}); it may name "
                                  f"{', '.join('{' + k + '}' for k in values)}") from exc
    return check


def _ordered(value: list[Any]) -> None:
    if len(value) != 2 or value[0] > value[1]:
        raise ValidationError("give [low, high], low not above high")


def _range(kind: type = int, **kwargs: Any) -> fields.List:
    """A [low, high] range of whole numbers (or of decimals)."""
    item = fields.Integer() if kind is int else fields.Float()
    return fields.List(item, validate=_ordered, **kwargs)


class _Worded(fields.Dict):
    """A text template in each of the six languages."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(keys=fields.String(validate=validate.OneOf(LANGUAGES)),
                         values=fields.String(validate=[validate.Length(min=1, max=500),
                                                        _fills(TEMPLATE_VALUES)]),
                         validate=self._every_language, **kwargs)

    @staticmethod
    def _every_language(value: dict[str, str]) -> None:
        missing = [lang for lang in LANGUAGES if lang not in value]
        if missing:
            raise ValidationError(f"no text in {', '.join(missing)}")


class ShareSchema(_Strict):
    share = fields.Float(required=True, validate=validate.Range(0, 1))
    on_time = fields.Float(required=True, validate=validate.Range(0, 1))


class GeneralReportsSchema(_Strict):
    default = fields.Nested(ShareSchema, load_default=None)
    resolutions = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[0-9]+$")),
                              values=fields.Nested(ShareSchema), load_default=dict)


class TextsSchema(_Strict):
    legal_basis = fields.String(required=True, validate=[validate.Length(min=1, max=300),
                                                         _fills(TEMPLATE_VALUES)])
    competent_authority = fields.String(required=True, validate=validate.Length(min=1, max=300))
    measures = fields.String(required=True, validate=validate.Length(min=1, max=300))


class StagePlanSchema(_Strict):
    stage = fields.String(required=True)
    filed = fields.Integer(required=True, validate=validate.Range(min=0))
    nil = fields.Integer(required=True, validate=validate.Range(min=0))
    on_time = fields.Float(required=True, validate=validate.Range(0, 1))
    counted_by = fields.Date(required=True)
    later = fields.Integer(required=True, validate=validate.Range(min=0))
    measures = _Worded(required=True)


class NotifierSchema(_Strict):
    until = fields.Date(required=True)
    gaps = fields.Float(required=True, validate=validate.Range(0, 1))
    late = fields.Float(required=True, validate=validate.Range(0, 1))
    quantity = _range(required=True)


class AnswerPlanSchema(_Strict):
    requirement = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("staged", "periodic",
                                                                 "on_event")))
    # staged
    stages = fields.List(fields.Nested(StagePlanSchema), load_default=None)
    figure = _range(load_default=None)
    new_at_later_stages = fields.Integer(validate=validate.Range(min=0), load_default=0)
    # periodic
    notifiers = fields.List(fields.Nested(NotifierSchema), load_default=None)
    standing_nil = fields.Integer(validate=validate.Range(min=0), load_default=0)
    # on_event
    filed = fields.Integer(validate=validate.Range(min=0), load_default=None)
    events_between = fields.List(fields.Date(), validate=validate.Length(equal=2),
                                 load_default=None)
    received_after_days = _range(load_default=None)
    among_reporters_of = fields.String(load_default=None)
    # all kinds
    measures = _Worded(load_default=None)
    nil = _Worded(load_default=None)

    @validates_schema
    def _kind_fields(self, data: dict[str, Any], **_: Any) -> None:
        needed = {"staged": ("stages", "figure"), "periodic": ("notifiers", "measures"),
                  "on_event": ("filed", "events_between", "received_after_days", "measures")}
        missing = [name for name in needed[data["kind"]] if data.get(name) is None]
        if missing:
            raise ValidationError(f"a {data['kind']} plan needs {', '.join(missing)}")
        if data["kind"] == "staged" and any(s["nil"] for s in data["stages"]) and not data["nil"]:
            raise ValidationError("nil reports need the nil wording", "nil")
        if data["kind"] == "periodic" and data["standing_nil"] and not data["nil"]:
            raise ValidationError("nil reports need the nil wording", "nil")


class PortSchema(_Strict):
    state = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{3}$"))
    place = fields.String(required=True)
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))


class AtSeaSchema(_Strict):
    place = fields.String(required=True)
    lat = _range(float, required=True)
    lon = _range(float, required=True)


class CargoSchema(_Strict):
    description = fields.String(required=True)
    hs_code = fields.String(allow_none=True, load_default=None)
    quantity = _range(allow_none=True, load_default=None)
    unit = fields.String(allow_none=True, load_default=None)


class ScenarioSchema(_Strict):
    signal = fields.String(required=True, validate=validate.OneOf(SIGNALS))
    kind = fields.String(required=True, validate=validate.OneOf(tuple(IncidentKind)))
    between = fields.List(fields.Date(), validate=validate.Length(equal=2), load_default=None)
    port = fields.Integer(validate=validate.Range(0, 3), load_default=None)
    location = fields.Nested(AtSeaSchema, load_default=None)
    vessels = fields.List(fields.String(validate=validate.Regexp(PARTY_REF)),
                          load_default=list)
    draws = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[a-z_]+$")),
                        values=_range(), load_default=dict)
    summary = fields.String(required=True, validate=validate.Length(min=1, max=500))
    parties = fields.List(fields.Tuple((fields.String(validate=validate.Regexp(PARTY_REF)),
                                        fields.String(validate=validate.OneOf(
                                            tuple(PartyRole))))), required=True)
    cargo = fields.List(fields.Nested(CargoSchema), load_default=list)
    obligations = fields.List(fields.String(), load_default=list)
    source = fields.String(required=True, validate=validate.Regexp(r"^[A-Z][A-Z-]*$"))
    visibility = fields.String(validate=validate.OneOf(tuple(Visibility)),
                               load_default=Visibility.PUBLIC)
    recorded_after_days = _range(required=True)
    filed_by = fields.String(validate=validate.Regexp(PARTY_REF), load_default=None)
    acknowledged_by = fields.List(fields.String(validate=validate.Regexp(PARTY_REF)),
                                  load_default=list)
    acknowledged_after_days = _range(load_default=None)

    @validates_schema
    def _placed(self, data: dict[str, Any], **_: Any) -> None:
        _fills({**SUMMARY_VALUES, **dict.fromkeys(data["draws"], 1)})(data["summary"])
        if data["signal"] == "undeclared":
            return  # placed in the State of its demo report, between its resolution and it
        if data["between"] is None or not data["obligations"]:
            raise ValidationError("a scenario needs `between` and `obligations`")
        if data["between"][0] > data["between"][1]:
            raise ValidationError("low is above high", "between")
        if (data["port"] is None) == (data["location"] is None):
            raise ValidationError("give either `port` or `location`")
        if data["acknowledged_by"] and data["acknowledged_after_days"] is None:
            raise ValidationError("needs acknowledged_after_days", "acknowledged_after_days")


class IncidentsSchema(_Strict):
    ports = fields.List(fields.Nested(PortSchema), validate=validate.Length(min=4),
                        required=True)
    vessel_names = fields.List(fields.String(validate=validate.Regexp(r"^DEMO ")),
                               required=True)
    scenarios = fields.List(fields.Nested(ScenarioSchema), required=True)

    @validates_schema
    def _enough_names(self, data: dict[str, Any], **_: Any) -> None:
        needed = sum(len(s["vessels"]) for s in data["scenarios"])
        if needed > len(data["vessel_names"]):
            raise ValidationError(f"the scenarios need {needed} vessel names",
                                  "vessel_names")


class DemoFileSchema(_Strict):
    format = fields.Integer(required=True, validate=validate.Equal(
        DEMO_FORMAT, error="format {input} is not read: demo files are format {other}"))
    regime = fields.String(required=True, validate=validate.Length(min=1, max=32))
    note = fields.String(required=True)
    reference = fields.String(load_default=None, validate=_fills(TEMPLATE_VALUES))
    general_reports = fields.Nested(GeneralReportsSchema, load_default=None)
    texts = fields.Dict(keys=fields.String(validate=validate.OneOf(LANGUAGES)),
                        values=fields.Nested(TextsSchema), load_default=None)
    answers = fields.List(fields.Nested(AnswerPlanSchema), load_default=list)
    incidents = fields.Nested(IncidentsSchema, load_default=None)

    @validates_schema
    def _every_language(self, data: dict[str, Any], **_: Any) -> None:
        texts = data.get("texts")
        if texts is not None and set(texts) != set(LANGUAGES):
            raise ValidationError(f"give the texts in each of {', '.join(LANGUAGES)}", "texts")
