"""逢查必考 on the laptop: who is examined, the kiosk the worker answers in, and the result to teach from.

The kiosk is full screen, one question at a time, with large buttons and a countdown. The worker cannot see
answers or leave it: closing, Esc and the window keys are refused until the inspector types the PIN chosen
when the quiz started. In oral mode the same screen is a normal window the inspector answers in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from inspector.domain.enums import QuestionType, QuizMode
from inspector.errors import InspectorError
from inspector.evidence.images import read_facts
from inspector.evidence.service import add_photo_file
from inspector.quiz import service as quiz
from inspector.store.db import Store
from inspector.ui.gallery import FILE_FILTER
from inspector.ui.ops import run_op, run_write, user_message

POSTS = ("主要负责人", "安全管理人员", "特种作业人员", "瓦斯检查工", "采煤机司机", "井下电钳工", "爆破工", "安全检查工",
         "主要操作岗位", "特殊作业监护人", "有限空间作业人员", "粉尘涉爆岗位", "储配站操作工", "架子工",
         "塔式起重机司机", "施工电工")  # fmt: skip


# Large, touch-friendly: each choice is a whole bordered row that can be hit with a finger.
KIOSK_STYLE = """
#QuizWindow { background: #f7f9fc; }
#QuizWindow QLabel { font-size: 22px; }
#quizStem { font-size: 30px; font-weight: bold; padding: 16px 0; }
#QuizWindow QRadioButton, #QuizWindow QCheckBox {
    font-size: 26px; padding: 16px; margin: 4px 0; background: white;
    border: 1px solid #c9d3df; border-radius: 10px;
}
#QuizWindow QRadioButton:checked, #QuizWindow QCheckBox:checked { background: #dbe9f8; border: 2px solid #1f3a5f; }
#QuizWindow QRadioButton::indicator, #QuizWindow QCheckBox::indicator { width: 28px; height: 28px; }
#QuizWindow QPushButton { font-size: 26px; }
#QuizWindow QPlainTextEdit { font-size: 24px; }
"""


class QuizStartDialog(QDialog):
    """Who is examined, how, and the PIN that unlocks the kiosk."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("QuizStartDialog")
        self.setWindowTitle("逢查必考：受考人员")
        form = QFormLayout(self)
        self.name = QLineEdit()
        self.post = QComboBox()
        self.post.setEditable(True)
        self.post.addItems(POSTS)
        self.id_number = QLineEdit()
        self.id_number.setPlaceholderText("18位身份证号（或填写工号）")
        self.staff_no = QLineEdit()
        self.mode = QComboBox()
        for mode in QuizMode:
            self.mode.addItem({"机考": "机考（受考人在电脑上作答）", "口试": "口试（执法人员代为记录）",
                               "笔试": "笔试（录入纸质试卷得分）"}[mode.value], mode.value)  # fmt: skip
        self.count = QSpinBox()
        self.count.setRange(1, 50)
        self.count.setValue(10)
        self.difficulty = QComboBox()
        for name in quiz.DIFFICULTY_MIXES:
            self.difficulty.addItem(name)
        self.difficulty.setCurrentText("标准")
        self.minutes = QSpinBox()
        self.minutes.setRange(1, 120)
        self.minutes.setValue(15)
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText("4位以上数字，退出机考时输入")
        self.written_score = QSpinBox()
        self.written_score.setRange(0, 100)
        self.person_photo = PhotoPicker("选择照片…", "人员照片（可选，用于核对身份）")
        self.paper_photo = PhotoPicker("选择照片…", "纸质试卷照片（笔试必附）")
        for label, widget in (
            ("姓名", self.name),
            ("岗位", self.post),
            ("身份证号", self.id_number),
            ("工号", self.staff_no),
            ("方式", self.mode),
            ("题量", self.count),
            ("难度", self.difficulty),
            ("限时（分钟）", self.minutes),
            ("退出密码（PIN）", self.pin),
            ("笔试得分", self.written_score),
            ("人员照片", self.person_photo),
            ("试卷照片", self.paper_photo),
        ):
            form.addRow(label, widget)
        self.error = QLabel()
        self.error.setWordWrap(True)
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("开始")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self._mode_changed()

    def chosen_mode(self) -> QuizMode:
        return QuizMode(self.mode.currentData())

    def _mode_changed(self) -> None:
        mode = self.chosen_mode()
        self.pin.setEnabled(mode is QuizMode.KIOSK)
        self.written_score.setEnabled(mode is QuizMode.WRITTEN)
        self.paper_photo.setEnabled(mode is QuizMode.WRITTEN)
        for w in (self.count, self.minutes, self.difficulty):
            w.setEnabled(mode is not QuizMode.WRITTEN)

    def person(self) -> quiz.Person:
        return quiz.Person(self.name.text(), self.post.currentText(), self.id_number.text(), self.staff_no.text())

    def _accept(self) -> None:
        try:
            quiz.check_person(self.person())
        except Exception as exc:  # the same checks the service makes, shown before anything is saved
            self.error.setText(user_message(exc))
            return
        pin = self.pin.text().strip()
        if self.chosen_mode() is QuizMode.KIOSK and not (pin.isdigit() and len(pin) >= 4):
            self.error.setText("机考须设置4位以上数字的退出密码，防止受考人自行退出。")
            return
        if self.chosen_mode() is QuizMode.WRITTEN and self.paper_photo.path is None:
            self.error.setText("笔试须附上纸质试卷的照片，作为考试记录的证据。")
            return
        for picker in (self.person_photo, self.paper_photo):
            problem = picker.problem()
            if problem:
                self.error.setText(problem)
                return
        self.accept()


class PhotoPicker(QWidget):
    """A button that picks one photo file, and the file's name beside it."""

    def __init__(self, button_text: str, dialog_title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path: Path | None = None
        self._title = dialog_title
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.button = QPushButton(button_text)
        self.button.clicked.connect(self.choose)
        self.label = QLabel("未选择")
        self.label.setObjectName("subtle")
        layout.addWidget(self.button)
        layout.addWidget(self.label, 1)

    def choose(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, self._title, "", FILE_FILTER)
        if name:
            self.set_path(Path(name))

    def set_path(self, path: Path | None) -> None:
        self.path = path
        self.label.setText(path.name if path else "未选择")

    def problem(self) -> str:
        """Why the chosen file cannot be the photo (read from its header only), or ""."""
        if self.path is None or not self.isEnabled():
            return ""
        try:
            read_facts(self.path)
        except InspectorError as exc:
            return exc.message_zh
        except OSError as exc:
            return f"{self.path.name}：无法读取（{exc.strerror}）。"
        return ""


class QuizWindow(QWidget):
    """One question at a time; answers are saved as they are chosen; 交卷 scores the paper."""

    finished = Signal(object)  # QuizResult

    def __init__(self, store: Store, quiz_id: str, *, kiosk: bool, pin: str, time_limit_seconds: int | None) -> None:
        super().__init__()
        self.setObjectName("QuizWindow")
        self.store = store
        self.quiz_id = quiz_id
        self.kiosk = kiosk
        self._pin = pin
        self._unlocked = not kiosk
        self.questions: list[quiz.PaperQuestion] = []
        self.answers: dict[int, str] = {}
        self.index = 0
        self.remaining = time_limit_seconds
        self.setWindowTitle("逢查必考 · 安全生产知识考试")
        self.setStyleSheet(KIOSK_STYLE)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.counter = QLabel()
        self.timer_label = QLabel()
        top.addWidget(self.counter, 1)
        top.addWidget(self.timer_label)
        layout.addLayout(top)
        self.stem = QLabel()
        self.stem.setWordWrap(True)
        self.stem.setObjectName("quizStem")
        layout.addWidget(self.stem)
        self.choices = QVBoxLayout()
        layout.addLayout(self.choices)
        self.text_answer = QPlainTextEdit()
        self.text_answer.setPlaceholderText("在此作答")
        self.text_answer.textChanged.connect(self._text_changed)
        layout.addWidget(self.text_answer)
        layout.addStretch(1)
        nav = QHBoxLayout()
        self.previous = QPushButton("上一题")
        self.next = QPushButton("下一题")
        self.submit = QPushButton("交卷")
        for button in (self.previous, self.next, self.submit):
            button.setMinimumHeight(64)
            nav.addWidget(button)
        self.previous.clicked.connect(lambda: self.go(self.index - 1))
        self.next.clicked.connect(lambda: self.go(self.index + 1))
        self.submit.clicked.connect(self.hand_in)
        layout.addLayout(nav)
        self.status = QLabel()
        layout.addWidget(self.status)
        self.group = QButtonGroup(self)
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._tick)
        run_op(store, lambda s: quiz.paper(s, quiz_id), on_done=self._loaded, on_error=self._error)

    def _loaded(self, questions: list[quiz.PaperQuestion]) -> None:
        self.questions = questions
        self.answers = {q.position: q.given for q in questions if q.given}
        self.go(0)
        if self.remaining:
            self._clock.start()
            self._tick()

    def _tick(self) -> None:
        if self.remaining is None:
            return
        self.remaining -= 1
        minutes, seconds = divmod(max(self.remaining, 0), 60)
        self.timer_label.setText(f"剩余 {minutes:02d}:{seconds:02d}")
        if self.remaining <= 0:
            self._clock.stop()
            self.status.setText("时间到，自动交卷。")
            self.hand_in(confirm=False)

    def go(self, index: int) -> None:
        if not self.questions:
            return
        self.index = max(0, min(index, len(self.questions) - 1))
        q = self.questions[self.index]
        self.counter.setText(f"第 {self.index + 1} / {len(self.questions)} 题 · {q.qtype.value}题")
        self.stem.setText(q.stem)
        while self.choices.count():
            item = self.choices.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.group = QButtonGroup(self)
        self.group.setExclusive(q.qtype is not QuestionType.MULTIPLE_CHOICE)
        given = self.answers.get(q.position, "")
        self.text_answer.setVisible(q.qtype is QuestionType.SHORT_ANSWER)
        if q.qtype is QuestionType.SHORT_ANSWER:
            self.text_answer.blockSignals(True)
            self.text_answer.setPlainText(given)
            self.text_answer.blockSignals(False)
        labels = (
            [("对", "对（正确）"), ("错", "错（错误）")]
            if q.qtype is QuestionType.TRUE_FALSE
            else [(chr(65 + n), f"{chr(65 + n)}. {text}") for n, text in enumerate(q.options)]
        )
        for value, text in labels:
            button: QRadioButton | QCheckBox
            if q.qtype is QuestionType.MULTIPLE_CHOICE:
                button = QCheckBox(text)
                button.setChecked(value in given)
            else:
                button = QRadioButton(text)
                button.setChecked(value == given)
            button.setMinimumHeight(56)
            button.setProperty("answer", value)
            self.group.addButton(button)
            self.choices.addWidget(button)
        self.group.buttonToggled.connect(lambda *_: self._choice_changed())
        self.previous.setEnabled(self.index > 0)
        self.next.setEnabled(self.index < len(self.questions) - 1)

    def _choice_changed(self) -> None:
        chosen = "".join(sorted(str(b.property("answer")) for b in self.group.buttons() if b.isChecked()))
        self._save(chosen)

    def _text_changed(self) -> None:
        self._save(self.text_answer.toPlainText())

    def _save(self, given: str) -> None:
        q = self.questions[self.index]
        self.answers[q.position] = given
        if not given:
            return
        quiz_id, position = self.quiz_id, q.position
        run_write(
            self.store,
            lambda s: quiz.answer(s, quiz_id=quiz_id, position=position, given=given),
            on_done=lambda _r: self.status.setText(f"已保存第 {position + 1} 题"),
            on_error=self._error,
        )

    def hand_in(self, *, confirm: bool = True) -> None:
        missing = [q.position + 1 for q in self.questions if not self.answers.get(q.position)]
        if confirm and missing:
            self.status.setText(
                f"还有 {len(missing)} 题未作答（第 {'、'.join(map(str, missing[:10]))} 题）。再按一次“交卷”确认。"
            )
            self.submit.clicked.disconnect()
            self.submit.clicked.connect(lambda: self.hand_in(confirm=False))
            return
        self._clock.stop()
        quiz_id = self.quiz_id
        needs_marking = any(
            q.qtype is QuestionType.SHORT_ANSWER and self.answers.get(q.position) for q in self.questions
        )
        if needs_marking:
            self.status.setText("简答题须由执法人员评分后出分。")
            self._unlocked = True
            self.finished.emit(None)
            return
        run_write(
            self.store,
            lambda s: quiz.finish_quiz(s, quiz_id=quiz_id),
            on_done=self._done,
            on_error=self._error,
        )

    def _done(self, result: quiz.QuizResult) -> None:
        self._unlocked = True
        self.finished.emit(result)
        self.close()

    def _error(self, exc: Exception) -> None:
        self.status.setText(f"出错：{user_message(exc)}")

    def unlock(self, pin: str) -> bool:
        if pin == self._pin:
            self._unlocked = True
        return self._unlocked

    # Kiosk: the worker cannot leave. Qt overrides keep Qt's names.
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.kiosk and event.key() == Qt.Key.Key_Escape:
            self.ask_to_leave()
            return
        super().keyPressEvent(event)

    def ask_to_leave(self) -> None:
        pin, ok = QInputDialog.getText(self, "退出机考", "请执法人员输入退出密码：", QLineEdit.EchoMode.Password)
        if ok and self.unlock(pin):
            self._clock.stop()
            self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._unlocked:
            event.accept()
        else:
            event.ignore()
            self.status.setText("考试进行中，不能关闭。请执法人员输入退出密码。")


def result_html(result: quiz.QuizResult) -> str:
    """The result screen: score, pass or fail, and each wrong answer with its explanation and basis."""
    verdict = "合格" if result.score is not None and result.score >= result.pass_mark else "不合格"
    colour = "#2e7d32" if verdict == "合格" else "#c62828"
    parts = [
        f"<h2>{result.person_post} {result.person_name}</h2>",
        f"<p style='font-size:22px'>得分 <b>{result.score if result.score is not None else '—'}</b>"
        f"（合格分 {result.pass_mark}）：<b style='color:{colour}'>{verdict}</b></p>",
    ]
    if result.finding_id:
        parts.append("<p>已列入本次检查的隐患：考核不合格，责令限期整改，复查时重新考核。</p>")
    wrong = result.wrong
    if wrong:
        parts.append(f"<h3>答错或未答的题目（{len(wrong)}）</h3><ol>")
        for q in wrong:
            options = "".join(f"<br/>{chr(65 + n)}. {o}" for n, o in enumerate(q.options))
            parts.append(
                f"<li><p>{q.stem}{options}</p><p>作答：{q.given or '未答'}；正确答案：<b>{q.answer}</b></p>"
                f"<p style='color:#444'>{q.explanation}</p><p style='color:#666'>依据：{q.basis}</p></li>"
            )
        parts.append("</ol>")
    return "".join(parts)


class QuizResultDialog(QDialog):
    def __init__(self, result: quiz.QuizResult, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("QuizResultDialog")
        self.setWindowTitle("考试结果")
        self.resize(900, 700)
        layout = QVBoxLayout(self)
        self.view = QTextBrowser()
        self.view.setHtml(result_html(result))
        layout.addWidget(self.view)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)


def start_quiz_flow(parent: QWidget, store: Store, inspection_id: str, on_done: Any) -> QDialog:
    """Ask who is examined, then open the kiosk (or record a written score); `on_done(result)` at the end."""
    dialog = QuizStartDialog(parent)

    def add_posts(posts: list[str]) -> None:
        for post in posts:  # the banks' own posts, after the usual ones already listed
            if dialog.post.findText(post) < 0:
                dialog.post.addItem(post)

    run_op(store, quiz.known_posts, on_done=add_posts)

    def accepted() -> None:
        person, mode = dialog.person(), dialog.chosen_mode()
        person_photo = dialog.person_photo.path
        paper_photo = dialog.paper_photo.path if mode is QuizMode.WRITTEN else None

        def photo_id(session: Session, path: Path | None) -> str | None:
            return add_photo_file(session, store, inspection_id, path)[0] if path is not None else None

        if mode is QuizMode.WRITTEN:
            score = dialog.written_score.value()

            def record(session: Session) -> quiz.QuizResult:
                return quiz.record_written(
                    session,
                    inspection_id=inspection_id,
                    person=person,
                    score=score,
                    paper_evidence_id=photo_id(session, paper_photo),
                    person_photo_evidence_id=photo_id(session, person_photo),
                )

            def record_failed(exc: Exception) -> None:
                QMessageBox.warning(parent, "笔试成绩未保存", user_message(exc))

            run_write(store, record, on_done=on_done, on_error=record_failed)
            return
        count, minutes, pin = dialog.count.value(), dialog.minutes.value(), dialog.pin.text().strip()
        difficulty = quiz.DIFFICULTY_MIXES[dialog.difficulty.currentText()]
        mix = _mix_for(count)

        def opened(session_row: Any) -> None:
            window = QuizWindow(
                store,
                session_row.id,
                kiosk=mode is QuizMode.KIOSK,
                pin=pin,
                time_limit_seconds=session_row.time_limit_seconds,
            )
            window.finished.connect(on_done)
            parent.setProperty("quiz_window", window)  # keep it alive; tests reach it here
            if mode is QuizMode.KIOSK:
                window.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
                window.showFullScreen()
            else:
                window.resize(1000, 700)
                window.show()

        def start(session: Session) -> Any:
            return quiz.start_quiz(
                session,
                inspection_id=inspection_id,
                person=person,
                mode=mode,
                mix=mix,
                time_limit_minutes=minutes,
                difficulty=difficulty,
                person_photo_evidence_id=photo_id(session, person_photo),
            )

        def failed(exc: Exception) -> None:
            parent.setProperty("quiz_error", user_message(exc))
            status = getattr(parent, "status", None)
            if isinstance(status, QLabel):
                status.setText(f"无法开始考试：{user_message(exc)}")

        run_write(store, start, on_done=opened, on_error=failed)

    dialog.accepted.connect(accepted)
    return dialog


def _mix_for(count: int) -> dict[QuestionType, int]:
    """About 40 % 判断, 40 % 单选, 20 % 多选."""
    multiple = count // 5
    true_false = (count - multiple) // 2
    return {
        QuestionType.TRUE_FALSE: true_false,
        QuestionType.SINGLE_CHOICE: count - multiple - true_false,
        QuestionType.MULTIPLE_CHOICE: multiple,
    }
