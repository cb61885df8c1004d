"""Unit Convert — converts lengths, masses and temperatures between common units.

Pure arithmetic, no network: a good first agent to install from a registry.
"""

__manifest__ = {
    "schema": "rapp-agent/1.0",
    "name": "@rar-samples/unit_convert",
    "version": "1.1.0",
    "display_name": "Unit Convert",
    "description": "Converts lengths, masses and temperatures between metric and imperial units.",
    "author": "RAR samples",
    "tags": ["units", "conversion", "math", "sample"],
    "category": "general",
    "quality_tier": "verified",
    "requires_env": [],
    "dependencies": ["@rapp/basic_agent"],
}

try:
    from agents.basic_agent import BasicAgent
except ImportError:
    try:
        from basic_agent import BasicAgent
    except ImportError:
        class BasicAgent:
            def __init__(self, name=None, metadata=None):
                self.name = name
                self.metadata = metadata or {}

# Factors to a base unit per dimension (metre, kilogram).
_LENGTH = {"mm": 0.001, "cm": 0.01, "m": 1.0, "km": 1000.0, "in": 0.0254, "ft": 0.3048, "yd": 0.9144, "mi": 1609.344}
_MASS = {"g": 0.001, "kg": 1.0, "lb": 0.45359237, "oz": 0.028349523125}
_TEMPS = ("c", "f", "k")


def _to_celsius(v, unit):
    return {"c": v, "f": (v - 32) * 5 / 9, "k": v - 273.15}[unit]


def _from_celsius(v, unit):
    return {"c": v, "f": v * 9 / 5 + 32, "k": v + 273.15}[unit]


class UnitConvertAgent(BasicAgent):
    def __init__(self):
        self.name = "UnitConvert"
        self.metadata = {
            "name": self.name,
            "description": __manifest__["description"],
            "parameters": {
                "type": "object",
                "properties": {
                    "value": {"type": "number", "description": "The amount to convert."},
                    "from_unit": {"type": "string", "description": "Source unit, e.g. km, lb, f."},
                    "to_unit": {"type": "string", "description": "Target unit, e.g. mi, kg, c."},
                },
                "required": [],
            },
        }
        super().__init__(name=self.name, metadata=self.metadata)

    def perform(self, **kwargs) -> str:
        value = float(kwargs.get("value", 1))
        src = str(kwargs.get("from_unit", "km")).lower()
        dst = str(kwargs.get("to_unit", "mi")).lower()
        if src in _TEMPS and dst in _TEMPS:
            result = _from_celsius(_to_celsius(value, src), dst)
        else:
            table = _LENGTH if src in _LENGTH else _MASS if src in _MASS else None
            if table is None or dst not in table:
                return f"Cannot convert {src} to {dst}. Known units: {', '.join(list(_LENGTH) + list(_MASS) + list(_TEMPS))}"
            result = value * table[src] / table[dst]
        return f"{value:g} {src} = {result:.6g} {dst}"


if __name__ == "__main__":
    print(UnitConvertAgent().perform(value=10, from_unit="km", to_unit="mi"))
