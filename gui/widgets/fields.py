"""Input fields bound to one path of the project: unit, tooltip, inline validation.

Typing previews: each valid keystroke goes to ``ProjectDocument.preview_value``, so the charts
move as the user types, while the project, its undo stack and everything saved or exported
keep the committed value. Enter, Tab or leaving the field commits a valid value through
``ProjectDocument.set_value`` (one undo step). A refused value marks the field with the
validator's message and the results show the committed inputs; Escape or leaving the field
puts the committed value back and says so in the status bar. Inside a field holding typed
text, Ctrl+Z first puts the committed value back; the next Ctrl+Z walks the project's undo
stack. A refresh from the model (undo, open) rewrites the field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QKeySequence, QWheelEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from core.model.paths import get_attr_path
from gui.document import ProjectDocument
from gui.widgets.numbers import format_number, parse_number

# PySide6's stubs lack QKeySequence[i]; Qt has it.
_REDO = QKeySequence("Ctrl+Shift+Z")[0].toCombined()  # type: ignore[index]
ERROR_STYLE = (
    "QLineEdit, QComboBox, QPlainTextEdit { border: 1px solid #c62828; background: #fff3f3; }"
)


class _Choice(QComboBox):
    """A choice that the mouse wheel changes only once it has the focus: scrolling a panel
    over it scrolls the panel, and never picks another ASIC model on the way."""

    def __init__(self) -> None:
        super().__init__()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # no focus from the wheel

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()  # to the scroll area around the form


class Field(QWidget):
    """One editor bound to ``path``. Kinds: float, int, text, notes (several lines), choice,
    bool, list (numbers)."""

    committed = Signal(str)  # path, after a valid value was applied

    def __init__(
        self,
        doc: ProjectDocument,
        path: str,
        unit: str = "",
        tip: str = "",
        kind: str = "float",
        optional: bool = False,
        choices: list[tuple[str, Any]] | None = None,
        placeholder: str | Callable[[], str] = "",
        grouped: bool = True,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.doc, self.path, self.kind, self.optional = doc, path, kind, optional
        self.grouped = grouped  # thousands separators shown (not in a seed or a year)
        self._placeholder = placeholder
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(1)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(row)
        # Typed text not yet committed or put back: a preview, or a refused value.
        self.typed = False
        self._committing = False  # its own commit's refresh leaves the text as typed
        if kind == "bool":
            self.editor: QWidget = QCheckBox()
            self.editor.toggled.connect(self._on_toggled)
        elif kind == "choice":
            self.editor = _Choice()
            # As narrow as a short choice: a long one ("Antminer S21 (200 TH/s, 17.5 J/TH)")
            # is elided in the box, whole in its list and tooltip, so the form fits its panel.
            self.editor.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            self.editor.setMinimumContentsLength(12)
            for label, value in choices or []:
                self.editor.addItem(label, value)
            self.editor.activated.connect(self._on_choice)
        elif kind == "notes":
            self.editor = QPlainTextEdit()
            self.editor.setTabChangesFocus(True)
            self.editor.setFixedHeight(self.editor.fontMetrics().lineSpacing() * 5 + 10)
            self.editor.textChanged.connect(lambda: self._on_text(self.editor.toPlainText()))
        else:
            self.editor = QLineEdit()
            self.editor.textEdited.connect(self._on_text)
            self.editor.returnPressed.connect(self.commit_typed)
            if kind in ("float", "int", "list"):
                self.editor.setAlignment(Qt.AlignmentFlag.AlignRight)
        row.addWidget(self.editor, 1)
        self.unit_label = QLabel(unit)
        self.unit_label.setMinimumWidth(70)
        self.unit_label.setStyleSheet("color: #555;")
        row.addWidget(self.unit_label)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c62828; font-size: 11px;")
        self.error_label.hide()
        outer.addWidget(self.error_label)
        full_tip = tip + (f"\nUnit: {unit}" if unit else "")
        self.tip = full_tip
        self.editor.setToolTip(full_tip)
        self.unit_label.setToolTip(full_tip)
        self.editor.setAccessibleName(path)
        self.label = ""  # what the undo menu calls an edit of this field ("Undo BTC price")
        self.editor.installEventFilter(self)
        doc.project_changed.connect(self.refresh)
        # A form rebuilt (a strategy added, say) drops its fields: none stays marked invalid.
        self.destroyed.connect(lambda *_: _clear_invalid(doc, path))
        self.refresh()

    def eventFilter(self, watched, event) -> bool:
        """Ctrl+Z in a field holding typed text puts the committed value back; otherwise
        Ctrl+Z / Ctrl+Shift+Z go to the project's undo stack (the Edit menu), not to the line
        edit's own undo, which would leave the charts out of step. Escape puts the committed
        value back; leaving the field commits a valid value or puts back a refused one."""
        kind = event.type()
        if kind == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            chord = event.keyCombination().toCombined()
            if event.matches(QKeySequence.StandardKey.Undo) and self.typed:
                event.accept()  # the field's own: the KeyPress below restores it
                return True
            keys = (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo)
            if any(event.matches(k) for k in keys) or chord == _REDO:
                event.ignore()  # not the widget's: the window's shortcut takes it
                return True
            if event.key() == Qt.Key.Key_Escape and self.typed:
                event.accept()
                return True
        if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and self.typed:
            if event.matches(QKeySequence.StandardKey.Undo) or event.key() == Qt.Key.Key_Escape:
                self.revert()
                return True
        if kind == QEvent.Type.FocusOut and isinstance(event, QFocusEvent):
            # A menu, a dialog or another window taking the focus keeps the typing as it is
            # (an export or a save commits it: ``commit_typed``); Tab or a click elsewhere in the
            # window leaves the field.
            keeps = (Qt.FocusReason.PopupFocusReason, Qt.FocusReason.ActiveWindowFocusReason)
            if event.reason() not in keeps:
                self.leave()
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------------ commit and revert
    def commit_typed(self) -> bool:
        """Enter (and before a save or an export): commit the typed value if it is valid (one
        undo step). A refused value stays in the field, marked. Returns whether nothing typed
        is left uncommitted (False: a refused value, which the caller may ask about)."""
        if not self.typed:
            return True
        if self.has_error:
            return False
        try:
            value = self._parse(self._text())
        except ValueError:
            return False
        self._committing = True
        try:
            problems = self.commit(value)
        finally:
            self._committing = False
        self.doc.end_edit()
        if problems or not shiboken6.isValid(self.editor):
            return not problems
        self.typed = False
        self._show(get_attr_path(self.doc.project, self.path))  # "95000" reads "95,000"
        return True

    def leave(self) -> None:
        """Focus out (Tab, a click elsewhere): commit a valid value, put back a refused one."""
        if self.typed and not self.commit_typed():
            self.revert()

    def revert(self) -> None:
        """Put the committed value back in the field (Escape, Ctrl+Z, leaving it refused),
        drop its preview, and say so in the status bar when a refused value was dropped."""
        if not shiboken6.isValid(self.editor):
            return
        refused = self.has_error
        typed = self.typed_text()
        self.typed = False
        self.doc.clear_preview(self.path)
        self._show(get_attr_path(self.doc.project, self.path))
        if refused:
            self.doc.notice.emit(
                f"{self.name}: {typed!r} was not applied; it is back to {self.committed_text()}"
            )

    @property
    def name(self) -> str:
        """How the user names the field (its form label, or its path)."""
        return self.label or self.path

    def committed_text(self) -> str:
        """The committed value as the field shows it ("95,000")."""
        return self._format(get_attr_path(self.doc.project, self.path)) or "(empty)"

    def typed_text(self) -> str:
        """What the field holds as typed, trimmed."""
        return self._text().strip()

    def _text(self) -> str:
        if isinstance(self.editor, QPlainTextEdit):
            return self.editor.toPlainText()
        if isinstance(self.editor, QLineEdit):
            return self.editor.text()
        return ""

    # ------------------------------------------------------------------ model → widget
    def refresh(self, *_: Any) -> None:
        # Another field's edit leaves this one as it is (a keystroke would otherwise refresh
        # every field); a refused value or a computed placeholder is always looked at again.
        if not (self.has_error or callable(self._placeholder) or self.doc.touches(self.path)):
            return
        if self._committing:
            return  # ``commit_typed`` shows the committed value once it is applied
        self.typed = False  # undo, open, another edit: the model's value replaces any typing
        self._show(get_attr_path(self.doc.project, self.path))

    def _show(self, value: Any) -> None:
        """Write ``value`` into the editor (no signal) and clear any mark."""
        self.editor.blockSignals(True)
        try:
            if isinstance(self.editor, QCheckBox):
                self.editor.setChecked(bool(value))
            elif isinstance(self.editor, QComboBox):
                idx = self.editor.findData(value)
                self.editor.setCurrentIndex(max(idx, 0))
            elif isinstance(self.editor, QPlainTextEdit):
                if self.editor.toPlainText() != (value or ""):
                    self.editor.setPlainText(value or "")
            elif isinstance(self.editor, QLineEdit):
                text = self._format(value)
                if self.editor.text() != text:  # most edits change one field of ~100
                    self.editor.setText(text)
                ph = self._placeholder() if callable(self._placeholder) else self._placeholder
                if self.editor.placeholderText() != ph:
                    self.editor.setPlaceholderText(ph)
            self.set_error([])
        finally:
            self.editor.blockSignals(False)

    def _format(self, value: Any) -> str:
        if value is None:
            return ""
        if self.kind == "list":
            return "; ".join(format_number(v) for v in value)
        if self.kind in ("float", "int"):
            return format_number(value, self.grouped)
        return str(value)

    # ------------------------------------------------------------------ widget → model
    def _parse(self, text: str) -> Any:
        if self.optional and not text.strip():
            return None
        if self.kind == "float":
            return parse_number(text, integer=False)
        if self.kind == "int":
            return parse_number(text, integer=True)
        if self.kind == "list":  # semicolons separate; commas may group thousands
            return [parse_number(t, integer=False) for t in text.split(";") if t.strip()]
        if self.kind == "month_or_word":  # "never", "auto" or a month index
            word = text.strip().lower()
            return word if word in ("never", "auto") else parse_number(text, integer=True)
        return text

    def _on_text(self, text: str) -> None:
        """A keystroke: preview a valid value (the results follow it), mark a refused one
        (the results show the committed inputs)."""
        self.typed = True
        try:
            value = self._parse(text)
        except ValueError:
            shown = text.strip() or "(empty)"
            need = {
                "float": "a number",
                "int": "a whole number",
                "list": "numbers separated by semicolons",
                "month_or_word": "never, auto or a month index",
                "text": "text",
                "notes": "text",
            }[self.kind]
            self.doc.clear_preview(self.path)
            self.set_error([f"must be {need}, got {shown!r}"])
            return
        if self.kind in ("text", "notes"):
            # A name or a note changes no number: checked as typed, applied when committed.
            problems = self.doc.check_value(self.path, value)
        else:
            problems = self.doc.preview_value(self.path, value)
        if shiboken6.isValid(self.error_label):
            self.set_error(problems)

    def _on_toggled(self, checked: bool) -> None:
        self.commit(checked)
        self.doc.end_edit()

    def _on_choice(self, index: int) -> None:
        assert isinstance(self.editor, QComboBox)
        self.commit(self.editor.itemData(index))
        self.doc.end_edit()

    def commit(self, value: Any) -> list[str]:
        problems = self.doc.set_value(self.path, value, self.label or None)
        if not shiboken6.isValid(self.error_label):
            return problems  # the edit replaced the form this field belonged to
        self.set_error(problems)
        if not problems:
            self.committed.emit(self.path)
        return problems

    def set_error(self, problems: list[str]) -> None:
        """Show the problems (the field's own first), or clear the mark."""
        if not problems:
            if self.has_error:  # a style sheet set again costs a re-polish: only to clear
                self.error_label.hide()
                self.editor.setStyleSheet("")
            self.doc.mark_invalid(self.path, None)
            return
        own = [p.split(": ", 1)[1] for p in problems if p.startswith(self.path + ":")]
        other = [p for p in problems if not p.startswith(self.path + ":")]
        self.error_label.setText("\n".join(own + other))
        self.error_label.show()
        self.editor.setStyleSheet(ERROR_STYLE)
        self.doc.mark_invalid(self.path, (own + other)[0])

    @property
    def has_error(self) -> bool:
        return not self.error_label.isHidden()


def _clear_invalid(doc: ProjectDocument, path: str) -> None:
    if shiboken6.isValid(doc):
        doc.mark_invalid(path, None)


def add_fields(
    form: QFormLayout, doc: ProjectDocument, specs: list[tuple], prefix: str = ""
) -> dict[str, Field]:
    """Add (path, label, unit, tip, kwargs) rows to a form; returns the fields by path."""
    out: dict[str, Field] = {}
    for spec in specs:
        rel, label, unit, tip = spec[:4]
        kwargs = spec[4] if len(spec) > 4 else {}
        field = Field(doc, prefix + rel, unit, tip, **kwargs)
        # A label with a buddy reads "&" as a mnemonic: "O&M" would show as "OM".
        field.label = label
        lab = QLabel(label.replace("&", "&&"))
        lab.setToolTip(field.editor.toolTip())
        lab.setBuddy(field.editor)
        form.addRow(lab, field)
        out[prefix + rel] = field
    return out
