"""The preview: every export format's text (TOML, QEMU, libvirt, virt-install, JSON,
KubeVirt...), regenerated from the model.

The text comes from :func:`hvtui.tui.services.preview_text`, which is
:func:`hvtui.export.export_preset` (what ``hvtui export`` prints), never from other
widgets.  A tab's editor is built the first time the tab is shown, and only the
visible tab is regenerated at once; the others are marked stale and caught up when
they are shown, so a change costs one highlight pass, not one per format.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.containers import Container
from textual.css.query import NoMatches
from textual.reactive import var
from textual.widget import MountError

from hvtui.tui import services
from hvtui.tui.later_css import PREVIEW_TABS, read_css
from hvtui.tui.view import WizardView
from hvtui.tui.widgets.uniform import UniformLines

if TYPE_CHECKING:
    from textual.widgets import TabbedContent


class PreviewPane(UniformLines, Container, inherit_css=False):
    """Tabs of read-only, highlighted snippets for the draft.

    Its own lines (the frame under the tabs: background and left border, all the first
    frame shows of it) are all alike: drawn once and repeated (:class:`UniformLines`).

    A :class:`Container` whose CSS is its own (``inherit_css=False``, as the pane holder
    beside it): ``app.tcss`` sizes it (``#preview``), its layout is here, and the rest of
    what ``Vertical``'s and ``Container``'s default CSS say is Textual's default
    (``overflow: hidden``); neither rule is parsed for the first frame (the tabs, a
    ``Vertical``, come after it).  The layout is named although vertical is Textual's
    default: a widget with no layout rule and no children (this one, until its tabs come)
    is no container for Textual (``Widget.is_container``), and would be drawn line by line
    (~7 M instructions more at 120x36)."""

    DEFAULT_CSS: ClassVar[str] = """
    PreviewPane {
        layout: vertical;
    }
    """

    view: var[WizardView | None] = var(None, init=False)
    """Bound to the screen's view: the draft and the host answers exports use."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._fresh: set[str] = set()
        """The formats whose tab shows the current draft's text."""
        self._started = False
        """False until just after the first frame (see :meth:`start`)."""

    def compose(self) -> ComposeResult:
        return iter(())  # the tabs come with start(), just after the first frame

    def watch_view(self, old: WizardView | None, new: WizardView | None) -> None:
        """When the draft or the export inputs changed, every tab is stale."""
        if (
            old is not None
            and new is not None
            and old.preset == new.preset
            and old.export_env == new.export_env
        ):
            return
        self._fresh.clear()
        self._refresh_active()

    @property
    def active_format(self) -> str:
        """The format of the visible tab."""
        first = services.preview_formats()[0].name
        if not self._started:
            return first
        from textual.widgets import TabbedContent

        active = self.query_one("#preview-tabs", TabbedContent).active
        return active.removeprefix("tab-") if active else first

    def text(self, fmt: str) -> str:
        """The text a tab shows (building or regenerating it if needed), for tests and copy;
        before the tabs are built (just after the first frame), the text they will show."""
        from textual.widgets import TextArea

        view = self.view
        if not self._started:
            return "" if view is None else services.preview_text(view.preset, fmt, view.export_env)
        self._update(fmt)
        return self.query_one(f"#preview-{fmt}", TextArea).text

    def _refresh_active(self) -> None:
        if self._started and self.is_mounted:
            try:
                self._update(self.active_format)
            except NoMatches:
                return  # the app is closing: the tabs went before they were filled

    async def start(self) -> None:
        """Build the tabs and fill the visible one (the screen calls this after its first
        frame: the editors and the exporters cost a quarter of start-up)."""
        if self._started or not self.is_mounted:
            return
        from hvtui.tui.widgets.preview_tabs import PreviewTabs

        read_css(self.app, PREVIEW_TABS)  # before the tabs it styles are mounted
        try:
            await self.mount(PreviewTabs())
        except MountError:
            return  # the app is closing before it ever showed the preview
        self._started = True
        self.watch(self.app, "theme", self._follow_theme)
        self._refresh_active()

    def _follow_theme(self) -> None:
        """Highlight for a light background under light themes (the default is for dark)."""
        from textual.widgets import TextArea

        for area in self.query(TextArea):
            area.theme = "github_light" if self._light else "css"

    @property
    def _light(self) -> bool:
        return not self.app.current_theme.dark

    def _update(self, fmt: str) -> None:
        """Bring the tab of ``fmt`` up to date: its editor is made the first time."""
        view = self.view
        if fmt in self._fresh or view is None:
            return
        from textual.widgets import TabPane, TextArea

        from hvtui.export.registry import get
        from hvtui.tui.widgets.preview_tabs import preview_area

        text = services.preview_text(view.preset, fmt, view.export_env)
        self._fresh.add(fmt)
        try:
            self.query_one(f"#preview-{fmt}", TextArea).load_text(text)
        except NoMatches:
            pane = self.query_one(f"#tab-{fmt}", TabPane)
            pane.mount(preview_area(get(fmt), text, light=self._light))

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """A tab was shown: build or catch up its text."""
        self._refresh_active()


__all__ = ["PreviewPane"]
