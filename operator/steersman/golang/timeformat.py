"""Go's time layouts (`Mon Jan 2 15:04:05 MST 2006`): the chunks of a layout, Time.Format,
and the time package's own quoting, shared by gotime.py (Format) and timeparse.py (Parse).

The chunk recognition follows Go's `nextStdChunk`.
"""

from __future__ import annotations

from datetime import datetime

from steersman.golang.gostr import to_bytes

MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# Layout chunk codes (names follow Go's std* constants).
_STD_0X = {"1": "01", "2": "02", "3": "03", "4": "04", "5": "05", "6": "06"}
TZ_DASH = ["-070000", "-07:00:00", "-0700", "-07:00", "-07"]
TZ_Z = ["Z070000", "Z07:00:00", "Z0700", "Z07:00", "Z07"]


def next_chunk(layout: str) -> tuple[str, str, str]:
    """(prefix, std, suffix) for the first layout element; std is "" when there is none."""
    n = len(layout)
    i = 0
    while i < n:
        c = layout[i]
        if c == "J" and layout.startswith("Jan", i):
            if layout.startswith("January", i):
                return layout[:i], "January", layout[i + 7 :]
            if not layout[i + 3 : i + 4].islower():
                return layout[:i], "Jan", layout[i + 3 :]
        elif c == "M" and n >= i + 3:
            if layout.startswith("Mon", i):
                if layout.startswith("Monday", i):
                    return layout[:i], "Monday", layout[i + 6 :]
                if not layout[i + 3 : i + 4].islower():
                    return layout[:i], "Mon", layout[i + 3 :]
            if layout.startswith("MST", i):
                return layout[:i], "MST", layout[i + 3 :]
        elif c == "0":
            if i + 1 < n and "1" <= layout[i + 1] <= "6":
                return layout[:i], _STD_0X[layout[i + 1]], layout[i + 2 :]
            if layout.startswith("002", i):
                return layout[:i], "002", layout[i + 3 :]
        elif c == "1":
            if layout.startswith("15", i):
                return layout[:i], "15", layout[i + 2 :]
            return layout[:i], "1", layout[i + 1 :]
        elif c == "2":
            if layout.startswith("2006", i):
                return layout[:i], "2006", layout[i + 4 :]
            return layout[:i], "2", layout[i + 1 :]
        elif c == "_":
            if layout.startswith("_2", i):
                if layout.startswith("_2006", i):
                    return layout[: i + 1], "2006", layout[i + 5 :]
                return layout[:i], "_2", layout[i + 2 :]
            if layout.startswith("__2", i):
                return layout[:i], "__2", layout[i + 3 :]
        elif c in "345":
            return layout[:i], c, layout[i + 1 :]
        elif c == "P" and layout.startswith("PM", i):
            return layout[:i], "PM", layout[i + 2 :]
        elif c == "p" and layout.startswith("pm", i):
            return layout[:i], "pm", layout[i + 2 :]
        elif c in "-Z":
            for std in TZ_DASH if c == "-" else TZ_Z:
                if layout.startswith(std, i):
                    return layout[:i], std, layout[i + len(std) :]
        elif c in ".," and i + 1 < n and layout[i + 1] in "09":
            ch = layout[i + 1]
            j = i + 1
            while j < n and layout[j] == ch:
                j += 1
            if not (j < n and layout[j].isdigit()):
                return layout[:i], layout[i:j], layout[j:]
        i += 1
    return layout, "", ""


def zone_name(dt: datetime) -> str:
    """The zone abbreviation Go prints for MST (Python names UTC offsets "UTC+00:00")."""
    name = dt.tzname() or ""
    return "UTC" if name in ("UTC", "UTC+00:00") else name


def _pad(n: int, width: int) -> str:
    return f"-{-n:0{width}d}" if n < 0 else f"{n:0{width}d}"


def _tz(std: str, offset: int) -> str:
    if offset == 0 and std.startswith("Z"):
        return "Z"
    sign = "-" if offset < 0 else "+"
    off = abs(offset)
    zone = off // 60
    out = sign + _pad(zone // 60, 2)
    colon = ":" in std
    if colon:
        out += ":"
    if std not in ("-07", "Z07"):
        out += _pad(zone % 60, 2)
    if std in ("-070000", "Z070000", "-07:00:00", "Z07:00:00"):
        if colon:
            out += ":"
        out += _pad(off % 60, 2)
    return out


def _frac(nsec: int, std: str) -> str:
    digits = len(std) - 1
    text = f"{nsec:09d}"[:digits]
    if std[1] == "9":
        text = text.rstrip("0")
        if not text:
            return ""
    return std[0] + text


def format_layout(layout: str, dt: datetime, year: int, nsec: int) -> str:
    """Time.Format: `dt` gives the wall clock and zone, `year` Go's year (datetime has only
    1..9999, see GoTime) and `nsec` the nanoseconds."""
    offset = int(off.total_seconds()) if (off := dt.utcoffset()) is not None else 0
    out: list[str] = []
    while layout:
        prefix, std, layout = next_chunk(layout)
        out.append(prefix)
        if not std:
            break
        hour = dt.hour
        if std == "06":
            out.append(_pad(abs(year) % 100, 2))
        elif std == "2006":
            out.append(_pad(year, 4))
        elif std == "January":
            out.append(MONTHS[dt.month - 1])
        elif std == "Jan":
            out.append(MONTHS[dt.month - 1][:3])
        elif std == "1":
            out.append(str(dt.month))
        elif std == "01":
            out.append(_pad(dt.month, 2))
        elif std == "Monday":
            out.append(DAYS[dt.weekday()])
        elif std == "Mon":
            out.append(DAYS[dt.weekday()][:3])
        elif std == "2":
            out.append(str(dt.day))
        elif std == "_2":
            out.append(f"{dt.day:2d}")
        elif std == "02":
            out.append(_pad(dt.day, 2))
        elif std == "__2":
            out.append(f"{dt.timetuple().tm_yday:3d}")
        elif std == "002":
            out.append(_pad(dt.timetuple().tm_yday, 3))
        elif std == "15":
            out.append(_pad(hour, 2))
        elif std in ("3", "03"):
            h12 = hour % 12 or 12
            out.append(str(h12) if std == "3" else _pad(h12, 2))
        elif std in ("4", "04"):
            out.append(str(dt.minute) if std == "4" else _pad(dt.minute, 2))
        elif std in ("5", "05"):
            out.append(str(dt.second) if std == "5" else _pad(dt.second, 2))
        elif std in ("PM", "pm"):
            text = "PM" if hour >= 12 else "AM"
            out.append(text if std == "PM" else text.lower())
        elif std in TZ_DASH or std in TZ_Z:
            out.append(_tz(std, offset))
        elif std == "MST":
            name = zone_name(dt)
            out.append(name if name else _tz("-0700", offset))
        else:
            out.append(_frac(nsec, std))
    return "".join(out)


def time_quote(s: str) -> str:
    """The time package's own quote(): every byte of a non-ASCII or control character as
    \\xNN (invalid UTF-8 bytes, kept as surrogate escapes, included)."""
    out = ['"']
    for c in s:
        if c < " " or c >= "\x80":
            out.extend(f"\\x{b:02x}" for b in to_bytes(c))
        else:
            out.append("\\" + c if c in '"\\' else c)
    out.append('"')
    return "".join(out)
