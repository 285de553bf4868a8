"""Read a cohort's files into raw tables of text cells, repairing what can safely be repaired.

A source is a folder, a ``.zip`` (the files may sit in a subfolder), an ``.xlsx`` workbook
(sheets ``participants``, ``responses``, ``contacts``), or an upload mapping
``{file name: bytes}`` holding the CSV files, one ``.zip`` or one ``.xlsx``. Files are
recognised by their content (zip and xlsx signatures), then by name, then by their columns.

Every cell is read as text (nothing is converted or lost); the validator decides what the text
means. Repairs that change nothing in the data are made silently or with a warning: UTF-8 BOM,
Windows cp1252 / latin-1 and UTF-16 encodings (warning), ``;``, tab and ``|`` separators
(warning), CRLF line ends, header case and surrounding spaces, blank rows (also rows of bare
separators), spaces around cells. Anything that cannot be read becomes a Problem, never an
exception.

A REDCap export (a records CSV with ``redcap_event_name`` / ``redcap_repeat_instrument``
columns plus its data dictionary CSV) is recognised by its columns and converted to the three
tables by :mod:`hoo_metrics.io.redcap`; the tables keep the records file's row numbers, and
:meth:`RawTables.relabel` points problems at the REDCap file and field.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from .. import arrowtext as at
from ..contract import REQUIRED_TABLES, TABLES
from ..identifiers import mask
from ..problems import ERROR, WARNING, Problem
from . import redcap

#: File name endings read as delimited text.
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
#: Separators tried, in order of preference when equally frequent in the header.
SEPARATORS = (",", ";", "\t", "|")
_SEPARATOR_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}
#: Largest zip member read (uncompressed bytes).
MAX_MEMBER_BYTES = 512 * 2**20
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls / .doc
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class RawTables:
    """Tables as read from the files, before validation.

    ``tables`` maps a table name (``participants``, ``responses``, ``contacts``) to a DataFrame
    whose cells are all text (``str``, blank as ``""``), whose column names are stripped and
    lower-case, and whose index is the row number as in the file (header = row 1, first data
    row = 2), kept through dropped blank rows. ``problems`` are the problems met while reading;
    ``source`` describes where the tables came from; ``files`` names the file (or sheet) each
    table came from. ``origins`` is set for tables converted from another layout (REDCap):
    table -> (the file its rows are in, {column: the field it came from}).
    """

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    source: str = ""
    files: dict[str, str] = field(default_factory=dict)
    origins: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)

    def relabel(self, problems: list[Problem]) -> list[Problem]:
        """Problems about converted tables pointed at the file and field they came from
        (``responses``, column ``used_peers`` -> ``records.csv``, ``resources_used___peers``);
        others unchanged; a missing-table problem for a table the conversion could not
        build is dropped (the conversion's problems say why). Row numbers are already the
        source file's."""
        if not self.origins:
            return list(problems)
        out = []
        for p in problems:
            missing = p.table in self.origins and p.table not in self.tables
            if missing and p.row is None and p.column is None:
                continue  # "table missing": the conversion's own problems say why
            if p.table in self.origins:
                file, columns = self.origins[p.table]
                column = columns.get(p.column, p.column) if p.column else p.column
                p = Problem(file, p.row, column, p.value, p.message, p.severity)
            out.append(p)
        return out


# ---- public entry point ---------------------------------------------------------------------


def read_tables(source: str | os.PathLike | Mapping[str, bytes]) -> RawTables:
    """Read a cohort from a folder, a .zip, an .xlsx or an upload mapping {file name: bytes}.

    Never raises for bad input: unreadable, empty or unrecognised files, and missing required
    tables, are reported in ``RawTables.problems``.
    """
    reader = _Reader()
    if isinstance(source, Mapping):
        reader.source = "upload: " + ", ".join(str(k) for k in source) if source else "upload"
        if not source:
            reader.problem("cohort", "No file was uploaded. Upload the cohort files.")
        for name, content in source.items():
            data = _as_bytes(content)
            if data is None:
                reader.problem("cohort", f"The upload {name!s} could not be read as a file.")
                continue
            reader.add_blob(str(name), data)
    else:
        path = Path(source)
        reader.source = str(path)
        if path.is_dir():
            reader.add_folder(path)
        elif path.is_file():
            try:
                data = path.read_bytes()
            except OSError as exc:
                reader.problem("cohort", f"The file {path.name} could not be opened ({exc}).")
            else:
                reader.add_blob(path.name, data)
        else:
            reader.problem(
                "cohort",
                f"Nothing was found at {path}. Check the folder or file name and try again.",
            )
    return reader.finish()


# ---- the reader -------------------------------------------------------------------------------


class _Reader:
    """Collects tables and problems from the pieces of one source."""

    def __init__(self) -> None:
        self.source = ""
        self.tables: dict[str, pd.DataFrame] = {}
        self.files: dict[str, str] = {}
        self.problems: list[Problem] = []
        self.reported: set[str] = set()  # tables whose absence is already explained
        self.forms: set[str] = set()  # "csv" / "xlsx" / "zip", to word the missing-table hint
        self.redcap: dict[str, tuple[str, pd.DataFrame]] = {}  # "records"/"dictionary"
        self.origins: dict[str, tuple[str, dict[str, str]]] = {}

    def problem(self, table: str, message: str, severity: str = ERROR, column=None, value=None):
        self.problems.append(Problem(table, None, column, value, message, severity))

    # -- containers
    def add_folder(self, folder: Path) -> None:
        self.forms.add("csv")
        entries = sorted(p for p in folder.iterdir() if p.is_file() and not _hidden(p.name))
        text_files = [p for p in entries if p.suffix.lower() in TEXT_SUFFIXES]
        # A folder holding only a workbook or a zip is read as that workbook or zip.
        chosen = text_files or [p for p in entries if p.suffix.lower() in (".xlsx", ".zip")]
        for p in chosen:
            try:
                self.add_blob(p.name, p.read_bytes())
            except OSError as exc:
                self.problem("cohort", f"The file {p.name} could not be opened ({exc}).")

    def add_blob(self, name: str, data: bytes) -> None:
        """One file: a zip, a workbook, a legacy Excel file or delimited text."""
        # If a file named like a table fails, its failure explains that table's absence.
        named_table = _table_from_name(name)
        if data.startswith(_ZIP_MAGIC):
            try:
                archive = zipfile.ZipFile(io.BytesIO(data))
                names = archive.namelist()
            except (zipfile.BadZipFile, OSError, ValueError, EOFError):
                self.problem(
                    named_table or "cohort",
                    f"{name} looks like a .zip or .xlsx file but is damaged and cannot be "
                    "opened. Save or compress it again and re-upload it.",
                )
                self.reported.add(named_table or "")
                return
            if "xl/workbook.xml" in names:
                self.add_workbook(name, data)
            else:
                self.add_zip(name, archive)
            return
        if data.startswith(_OLE_MAGIC):
            self.problem(
                named_table or "cohort",
                f"{name} is an old-style Excel (.xls) or other Office file. Save it as .xlsx "
                "or as CSV files and upload that instead.",
            )
            self.reported.add(named_table or "")
            return
        suffix = PurePosixPath(name).suffix.lower()
        if suffix in (".xlsx", ".zip"):
            self.problem(
                named_table or "cohort",
                f"{name} is named like a {suffix} file but its content is not one. Save it "
                "again from the program that made it and re-upload it.",
            )
            self.reported.add(named_table or "")
            return
        self.forms.add("csv")
        self.add_text(name, data)

    def add_zip(self, name: str, archive: zipfile.ZipFile) -> None:
        self.forms.add("zip")
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir()
            and not info.filename.startswith("__MACOSX/")
            and not _hidden(PurePosixPath(info.filename).name)
        ]
        text_members = [
            m for m in members if PurePosixPath(m.filename).suffix.lower() in TEXT_SUFFIXES
        ]
        workbooks = [m for m in members if PurePosixPath(m.filename).suffix.lower() == ".xlsx"]
        chosen = text_members or workbooks
        if not chosen:
            self.problem(
                "cohort",
                f"{name} holds no CSV files. Put participants.csv, responses.csv and "
                "(optionally) contacts.csv in the zip.",
            )
        for info in chosen:
            label = f"{name}/{info.filename}"
            if info.file_size > MAX_MEMBER_BYTES:  # a decompression bomb or a wrong file
                self.problem(
                    "cohort",
                    f"{label} is larger than {MAX_MEMBER_BYTES // 2**20} MB once unzipped, too "
                    "large for a cohort table; check that the right files were zipped.",
                )
                continue
            try:
                data = archive.read(info)
            except (
                zipfile.BadZipFile,
                OSError,
                ValueError,
                EOFError,
                NotImplementedError,
                RuntimeError,
            ):
                self.problem(
                    "cohort",
                    f"{label} could not be extracted from the zip (damaged or encrypted). "
                    "Compress the files again without a password.",
                )
                continue
            if info in workbooks and not text_members:
                self.add_blob(label, data)
            else:
                self.add_text(label, data)

    def add_workbook(self, name: str, data: bytes) -> None:
        self.forms.add("xlsx")
        try:
            from python_calamine import CalamineWorkbook, SheetTypeEnum

            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            sheets = [m.name for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        except Exception as exc:  # the reader raises many kinds on damaged files
            self.problem(
                "cohort",
                f"The workbook {name} could not be read ({type(exc).__name__}). Open it in "
                "Excel, save it again as .xlsx and re-upload it.",
            )
            return
        try:
            for title in sheets:
                label = f"{name}, sheet {title}"
                try:
                    values = book.get_sheet_by_name(title).to_python(skip_empty_area=False)
                    grid = _sheet_grid(values)
                except Exception as exc:  # damaged sheet XML
                    self.problem(
                        "cohort",
                        f"The sheet {title} of {name} could not be read "
                        f"({type(exc).__name__}). Save the workbook again and re-upload it.",
                    )
                    continue
                self.add_rows(label, title, [], is_sheet=True, frame=grid)
        finally:
            book.close()

    # -- delimited text
    def add_text(self, label: str, data: bytes) -> None:
        stem_table = _table_from_name(label)
        if not re.search(rb"[^\s]", data):
            self._empty(label, stem_table)
            return
        text, encoding = _decode(data)
        if text is None or _looks_binary(text):
            self.problem(
                stem_table or "cohort",
                f"{label} is not a text (CSV) file: its content looks like binary data. "
                "Export the table from your spreadsheet as CSV and upload that.",
            )
            if stem_table:
                self.reported.add(stem_table)
            return
        text = text.lstrip("\ufeff")
        if encoding is not None:
            self.problem(
                stem_table or "cohort",
                f"{label} was not saved as UTF-8; it was read as {encoding} and converted. "
                "Check that accented letters look right; saving as 'CSV UTF-8' avoids this.",
                WARNING,
            )
        sep = _sniff_separator(text)
        # UTF-8 bytes go to the parser as they are (faster than re-encoding the text).
        rows = _split_rows(text, sep, data if encoding is None else None)
        if sep != "," and rows is not None:
            self.problem(
                stem_table or "cohort",
                f"{label} uses {_SEPARATOR_NAMES[sep]} instead of commas between cells; "
                "it was read accordingly.",
                WARNING,
            )
        if rows is None:
            self.problem(
                stem_table or "cohort",
                f"{label} could not be read as a CSV table (unbalanced quotes or a damaged "
                "file). Export the table again as CSV.",
            )
            if stem_table:
                self.reported.add(stem_table)
            return
        self.add_rows(label, label, rows, frame=rows if isinstance(rows, pd.DataFrame) else None)

    def add_rows(self, label, name, rows, is_sheet=False, frame=None) -> None:
        """A grid of text cells (first non-blank row = header) becomes one table."""
        grid = frame if frame is not None else _grid(rows)
        stem_table = _table_from_name(name)
        if grid is None or grid.empty:
            self._empty(label, stem_table, is_sheet)
            return
        if not grid.attrs.pop("stripped", False):
            grid = _strip_cells(grid)
        filled = _filled_rows(grid)
        if not filled.any():
            self._empty(label, stem_table, is_sheet)
            return
        header_at = int(filled.argmax())
        header = [_header_name(v) for v in grid.iloc[header_at]]
        row_numbers = np.arange(1, len(grid) + 1)  # as in the file: header = row 1
        in_body = filled & (row_numbers > header_at + 1)  # blank rows are dropped
        # no blank rows: a slice, no copy
        body = grid.iloc[header_at + 1 :] if in_body[header_at + 1 :].all() else grid[in_body]
        body.index = pd.Index(row_numbers[in_body], name="row")
        kind = redcap.file_kind(header)
        if kind is not None:
            self.add_redcap(kind, label, header, body)
            return
        table = stem_table or _table_from_columns(header)
        if table is None:
            what = "sheet" if is_sheet else "file"
            self.problem(
                "cohort",
                f"The {what} {label} does not look like any cohort table (participants, "
                "responses or contacts): its name and columns match none of them, so it was "
                "ignored. Name it participants.csv, responses.csv or contacts.csv.",
                WARNING,
                value=mask(", ".join(h for h in header if h)) or None,
            )
            return
        if table in self.tables:
            self.problem(
                table,
                f"Both {self.files[table]} and {label} hold the {table} table; only the first "
                "was read. Keep one of them.",
            )
            return
        columns: list[str] = []
        keep: list[int] = []
        for i, col in enumerate(header):
            if col == "":
                if (body.iloc[:, i] != "").any():
                    self.problem(
                        table,
                        f"Column {i + 1} of {label} has cells but no name in the header row, "
                        "so it was ignored. Give it a name or delete it.",
                        WARNING,
                    )
                continue
            if col in columns:
                self.problem(
                    table,
                    f"The column {col} appears more than once in {label}; only the first was "
                    "read. Delete or rename the other.",
                    column=col,
                )
                continue
            columns.append(col)
            keep.append(i)
        out = body.iloc[:, keep]
        out.columns = columns
        self.tables[table] = out
        self.files[table] = label

    def add_redcap(self, kind: str, label: str, header: list[str], body: pd.DataFrame) -> None:
        if kind in self.redcap:
            self.problem(
                "cohort",
                f"Both {self.redcap[kind][0]} and {label} are a REDCap {kind} file; only the "
                "first was read. Upload one records export and its data dictionary.",
            )
            return
        named = [i for i, col in enumerate(header) if col]
        frame = body.iloc[:, named]
        frame.columns = [header[i] for i in named]
        self.redcap[kind] = (label, frame.loc[:, ~frame.columns.duplicated()])

    def convert_redcap(self) -> None:
        """The REDCap records + dictionary as the three tables (problems name their rows)."""
        if "records" not in self.redcap:
            label = self.redcap["dictionary"][0]
            self.problem(
                label,
                f"{label} is a REDCap data dictionary, but no records export came with it. "
                "Upload the records too (Data Exports: all data, CSV raw data).",
            )
            self.reported.update(REQUIRED_TABLES)
            self.origins.update({t: (label, {}) for t in REQUIRED_TABLES})
            return
        records_label, records = self.redcap["records"]
        if "dictionary" not in self.redcap:
            self.problem(
                records_label,
                f"{records_label} is a REDCap records export; its data dictionary is needed "
                "too, to tell the instruments and checkbox fields apart. Download it from "
                "Project Setup > Data Dictionary and upload both files together.",
            )
            self.reported.update(REQUIRED_TABLES)
            self.origins.update({t: (records_label, {}) for t in REQUIRED_TABLES})
            return
        dictionary_label, dictionary = self.redcap["dictionary"]
        converted = redcap.convert(records, dictionary, records_label, dictionary_label)
        self.problems += converted.problems
        self.reported.update(REQUIRED_TABLES)
        for table in REQUIRED_TABLES:  # not converted: the problems above say why
            self.origins[table] = (records_label, {})
        for table, frame in converted.tables.items():
            if table in self.tables:
                self.problem(
                    table,
                    f"Both {self.files[table]} and the REDCap export {records_label} hold the "
                    f"{table} table; only the first was read. Upload one of them.",
                )
                continue
            self.tables[table] = frame
            self.files[table] = records_label
            self.origins[table] = (records_label, converted.origins[table])

    def _empty(self, label: str, table: str | None, is_sheet: bool = False) -> None:
        what = "sheet" if is_sheet else "file"
        severity = ERROR if table in REQUIRED_TABLES else WARNING
        self.problem(
            table or "cohort",
            f"The {what} {label} is empty. Export the table again with its header row and data.",
            severity,
        )
        if table:
            self.reported.add(table)

    def finish(self) -> RawTables:
        if self.redcap:
            self.convert_redcap()
        for table in REQUIRED_TABLES:
            if table in self.tables or table in self.reported:
                continue
            if self.forms == {"xlsx"}:
                hint = f"Add a sheet named {table} to the workbook."
            else:
                hint = f"Add a file named {table}.csv."
            self.problem(table, f"The {table} table is missing. {hint}")
        return RawTables(self.tables, self.problems, self.source, self.files, self.origins)


# ---- helpers ----------------------------------------------------------------------------------


def _as_bytes(content) -> bytes | None:
    """Bytes of an upload value: bytes, a buffer, or a file-like object (e.g. UploadedFile)."""
    if isinstance(content, bytes | bytearray | memoryview):
        return bytes(content)
    if isinstance(content, str):
        return content.encode("utf-8")
    for attr in ("getvalue", "read"):
        method = getattr(content, attr, None)
        if callable(method):
            try:
                data = method()
            except Exception:
                return None
            if isinstance(data, str):
                return data.encode("utf-8")
            return bytes(data) if isinstance(data, bytes | bytearray | memoryview) else None
    return None


def _hidden(name: str) -> bool:
    return name.startswith((".", "~$")) or name in ("Thumbs.db", "desktop.ini")


def _table_from_name(name: str) -> str | None:
    """The table a file or sheet name points to: participants.csv, HOO_Responses.csv, ..."""
    stem = PurePosixPath(str(name).replace(", sheet ", "/")).name
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    tokens = set(re.split(r"[^a-z]+", stem.strip().lower()))
    found = [t for t in TABLES if t in tokens or t[:-1] in tokens]
    return found[0] if len(found) == 1 else None


def _table_from_columns(columns: list[str]) -> str | None:
    """The table whose key columns a header carries."""
    cols = set(columns)
    if "contact_no" in cols:
        return "contacts"
    if "month" in cols or any(c.startswith("used_") for c in cols):
        return "responses"
    if "status" in cols or "arm" in cols:
        return "participants"
    return None


def _decode(data: bytes) -> tuple[str | None, str | None]:
    """Text of a file and the name of the encoding it was converted from (None for UTF-8)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            return None, None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252 (cp1252)"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "Latin-1"


def _looks_binary(text: str) -> bool:
    """True for text decoded from binary data: NUL bytes or many control characters."""
    if "\x00" in text:
        return True
    sample = text[:20000]
    return len(_CONTROL.findall(sample)) > max(2, len(sample) // 100)


def _sniff_separator(text: str) -> str:
    """The separator used by the first non-blank line (the header), commas when in doubt."""
    for line in io.StringIO(text[:65536]):
        if line.strip(" \t,;|"):
            counts = {sep: line.count(sep) for sep in SEPARATORS}
            best = max(SEPARATORS, key=lambda s: counts[s])  # first wins ties: ',' preferred
            return best if counts[best] > 0 else ","
    return ","


def _split_rows(
    text: str, sep: str, utf8: bytes | None = None
) -> pd.DataFrame | list[list[str]] | None:
    """Cells of delimited text: a DataFrame of str (fast path) or ragged rows (slow path).
    ``utf8``: the same text as UTF-8 bytes, when the file was UTF-8."""
    fast = _arrow_rows(utf8 if utf8 is not None else text.encode("utf-8", "surrogatepass"), sep)
    if fast is not None:
        return fast
    try:
        return pd.read_csv(
            io.BytesIO(utf8) if utf8 is not None else io.StringIO(text),
            encoding="utf-8-sig",
            sep=sep,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.EmptyDataError:
        return []
    except (pd.errors.ParserError, ValueError, UnicodeError, OverflowError):
        pass  # rows with more cells than the first one: read with the csv module
    try:
        return list(csv.reader(io.StringIO(text), delimiter=sep, strict=False))
    except csv.Error:
        return None


def _arrow_rows(data: bytes, sep: str) -> pd.DataFrame | None:
    """The fast path of :func:`_split_rows`: pyarrow's multi-threaded CSV reader, for files
    without quote characters whose first line is not blank, giving the same cells as pandas'
    C parser (checked cell by cell on randomised files). None when the file is not such a
    file or pyarrow refuses it (short or long rows, ...): the C parser then reads it."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    # [^\r\n]* matches at the start of any bytes (empty at worst): never None
    first_line = re.match(rb"[^\r\n]*", data).group(0)  # type: ignore[union-attr]
    if b'"' in data or not first_line.strip():
        return None
    width = first_line.count(sep.encode()) + 1
    names = [f"f{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(
                delimiter=sep, quote_char=False, newlines_in_values=False, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException, ValueError, OSError):
        return None
    if table.num_columns != width:
        return None
    frame = pd.DataFrame(
        {i: at.series(table.column(i)) for i in range(width)}, index=pd.RangeIndex(table.num_rows)
    )
    # ASCII text without spaces, tabs or other whitespace: no cell has any to strip
    frame.attrs["stripped"] = data.isascii() and not any(ws in data for ws in _ASCII_SPACES)
    return frame


#: ASCII bytes that str.strip or arrow's utf8_trim_whitespace may remove from a cell (CR and LF
#: always end a row in the fast path, so no cell holds them).
_ASCII_SPACES = (b" ", b"\t", b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\x1f")


def _filled_rows(grid: pd.DataFrame) -> np.ndarray:
    """Rows with at least one non-blank cell: the first column, then the others on the rows
    still blank (few in practice)."""
    blank = np.flatnonzero(at.equals(grid.iloc[:, 0], ""))
    for i in range(1, grid.shape[1]):
        if len(blank) == 0:
            break
        blank = blank[at.equals(grid.iloc[blank, i], "")]
    filled = np.ones(len(grid), dtype=bool)
    filled[blank] = False
    return filled


def _grid(rows: list[list[str]]) -> pd.DataFrame | None:
    """Ragged rows padded to a rectangle of str cells."""
    if not rows:
        return None
    width = max(len(r) for r in rows)
    if width == 0:
        return None
    padded = [list(r) + [""] * (width - len(r)) for r in rows]
    return pd.DataFrame(padded, dtype="str")


def _strip_cells(grid: pd.DataFrame) -> pd.DataFrame:
    """Cells as str with surrounding whitespace removed (NaN, if any, as blank)."""
    grid = grid.copy()
    grid.columns = range(grid.shape[1])
    for c in grid.columns:
        grid[c] = grid[c].astype("str").fillna("").str.strip()
    return grid


def _header_name(value: str) -> str:
    return str(value).replace("\ufeff", "").strip().lower()


def _sheet_grid(values: list[list]) -> pd.DataFrame | None:
    """A sheet's typed cells (python-calamine: str, float, bool, date, datetime, time, ''
    for empty) as the text a CSV export would hold (:func:`_cell_text`), column by column."""
    if not values or not max(len(row) for row in values):
        return None
    width = max(len(row) for row in values)
    if any(len(row) != width for row in values):  # not a rectangle: pad (rare)
        values = [list(row) + [""] * (width - len(row)) for row in values]
    cells = np.empty((len(values), width), dtype=object)
    cells[:] = values
    return pd.DataFrame(
        {j: _column_text(cells[:, j]) for j in range(width)}, index=pd.RangeIndex(len(values))
    ).astype("str")


def _column_text(column: np.ndarray) -> np.ndarray:
    """:func:`_cell_text` of every cell of an object column: text as it is, whole numbers
    without a decimal point, booleans as TRUE/FALSE; converted by kind of column, cell by
    cell only for what is neither (dates, fractions, huge numbers, mixed columns)."""
    blank = pd.isna(column) | (column == "")
    out = np.full(len(column), "", dtype=object)
    filled = np.flatnonzero(~blank)
    if len(filled) == 0:
        return out
    values = column[filled]
    kind = pd.api.types.infer_dtype(values, skipna=False)
    if kind == "string":
        out[filled] = values
        return out
    if kind == "boolean":
        out[filled] = np.where(values.astype(bool), "TRUE", "FALSE")
        return out
    if kind in ("floating", "integer", "mixed-integer-float"):
        number = values.astype(np.float64)
        whole = np.isfinite(number) & (number == np.floor(number)) & (np.abs(number) < 2.0**53)
        out[filled[whole]] = number[whole].astype(np.int64).astype(str).astype(object)
        rest = filled[~whole]
    else:
        rest = filled
    out[rest] = [_cell_text(v) for v in column[rest]]
    return out


def _cell_text(value) -> str:
    """A workbook cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
