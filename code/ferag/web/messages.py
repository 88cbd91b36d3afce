# ruff: noqa: RUF001 (Russian text, on purpose)
"""The UI's message catalogue: English text → Russian. Keys with a prefix name a value the
pages show (``status:review``, ``role:owner``, ``step:index``, ``section:entities_added``) or an
API error code (``error:…``, whose English text is in ``ERRORS_EN`` when the API's message
does not fit a page); ``JS_MESSAGES`` are the keys the page scripts use. The Russian of a
plural is its three forms separated by ``|`` (1 документ | 2 документа | 5 документов)."""

from __future__ import annotations

VALUES_EN: dict[str, str] = {
    # cycle, task and health states
    "status:pending": "pending",
    "status:queued": "queued",
    "status:running": "running",
    "status:progress": "running",
    "status:review": "review",
    "status:approved": "approved",
    "status:rejected": "rejected",
    "status:failed": "failed",
    "status:cancelled": "cancelled",
    "status:stale": "stale",
    "status:done": "done",
    "status:ok": "ok",
    "status:degraded": "degraded",
    "status:down": "down",
    "role:owner": "owner",
    "role:editor": "editor",
    "role:viewer": "viewer",
    "step:index": "Indexing",
    "step:to_rdf": "To RDF",
    "step:schema": "Ontology",
    "step:merge": "Merge",
    "step:staging": "Staging",
    "step:pipeline": "Cycle",
    "section:entities_added": "Entities added",
    "section:entities_changed": "Entities changed",
    "section:entities_removed": "Entities removed",
    "section:relations_added": "Relations added",
    "section:relations_changed": "Relations changed",
    "section:relations_removed": "Relations removed",
    "section:ontology_added": "Ontology added",
    "section:ontology_changed": "Ontology changed",
    "section:facts_superseded": "Facts superseded",
    "section:facts_ended": "Facts ended",
    "section:facts_flagged": "Facts possibly stale",
    "kind:class": "class",
    "kind:object_property": "relation type",
    "kind:datatype_property": "attribute",
    "component:database": "Database (PostgreSQL)",
    "component:redis": "Queue and events (Redis)",
    "component:store": "Triple store",
    "component:worker": "Workers",
    "component:llm": "Language model",
}

ERRORS_EN: dict[str, str] = {
    "registration_closed": "Registration is closed on this server; ask an administrator for an "
    "account.",
    "rag_not_found": "This knowledge base does not exist, or you are not a member of it.",
    "insufficient_role": "Your role on this knowledge base does not allow this.",
    "csrf_failed": "The form expired. Send it again.",
    "not_found": "There is nothing here.",
    "cycle_not_found": "This update cycle does not exist.",
    "session_not_found": "This conversation does not exist or is not yours.",
    "change_set_unavailable": "This cycle has no change set to review (yet, or any more).",
    "network": "The server cannot be reached. Check the connection and try again.",
}

RU: dict[str, str] = {
    # plurals
    "%(num)d knowledge bases": "%(num)d база знаний|%(num)d базы знаний|%(num)d баз знаний",
    "%(num)d entities added": "добавлена %(num)d сущность|добавлено %(num)d сущности|"
    "добавлено %(num)d сущностей",
    "%(num)d changed": "%(num)d изменена|%(num)d изменены|%(num)d изменено",
    "%(num)d relations": "%(num)d связь|%(num)d связи|%(num)d связей",
    "%(num)d ontology terms": "%(num)d термин онтологии|%(num)d термина онтологии|"
    "%(num)d терминов онтологии",
    # layout
    "Skip to content": "Перейти к содержанию",
    "Main": "Главное меню",
    "Knowledge bases": "Базы знаний",
    "Knowledge base": "База знаний",
    "Status": "Состояние",
    "Sign in": "Войти",
    "Sign out": "Выйти",
    "Register": "Зарегистрироваться",
    "Offline stand-in.": "Офлайн-заглушка.",
    "Answers and extractions come from ferag's rule-based stand-in, not from a language model. "
    "Configure FERAG_LLM_BASE_URL to use a model.": "Ответы и извлечение делает встроенная "
    "заглушка ferag на правилах, а не языковая модель. Чтобы подключить модель, задайте "
    "FERAG_LLM_BASE_URL.",
    "Back to your knowledge bases": "К вашим базам знаний",
    # sign in, register
    "Review what your documents add to the knowledge graph, approve it, and ask questions.": (
        "Проверяйте, что ваши документы добавляют в граф знаний, утверждайте изменения и "
        "задавайте вопросы."
    ),
    "Email": "Эл. почта",
    "Password": "Пароль",
    "No account yet?": "Ещё нет учётной записи?",
    "Create an account": "Регистрация",
    "Full name": "Имя и фамилия",
    "optional": "необязательно",
    "at least 8 characters, hard to guess": "не меньше 8 символов, трудный для подбора",
    "Have an account?": "Уже есть учётная запись?",
    # home
    "Each knowledge base turns its documents into a reviewed, versioned knowledge graph.": (
        "Каждая база знаний превращает свои документы в проверенный граф знаний с версиями."
    ),
    "No description": "Без описания",
    "created": "создана",
    "No knowledge bases yet. Create the first one.": "Баз знаний пока нет. Создайте первую.",
    "New knowledge base": "Новая база знаний",
    "Name": "Название",
    "Description": "Описание",
    "Language of the documents": "Язык документов",
    "Server default": "Как на сервере",
    "Russian": "Русский",
    "English": "Английский",
    "Detect per upload": "Определять при загрузке",
    "Create": "Создать",
    # knowledge base
    "Upload documents": "Загрузить документы",
    "Cycles": "Циклы",
    "Upload": "Загрузка",
    "Versions": "Версии",
    "Chat": "Чат",
    "Settings": "Настройки",
    "production version": "версия в работе",
    "update cycles": "циклов обновления",
    "waiting for review": "ждут проверки",
    "Update cycles": "Циклы обновления",
    "Cycle": "Цикл",
    "State": "Состояние",
    "Documents": "Документы",
    "Started": "Начат",
    "Updated": "Обновлён",
    "at": "на шаге",
    "Review": "Проверить",
    "Progress": "Ход работы",
    "No documents yet. Upload files or a zip to start the first update cycle.": (
        "Документов пока нет. Загрузите файлы или zip-архив, чтобы начать первый цикл обновления."
    ),
    # upload
    "Drop files, folders or zips here": "Перетащите сюда файлы, папки или zip-архивы",
    "or choose them:": "или выберите их:",
    "Choose files": "Выбрать файлы",
    "Choose a folder": "Выбрать папку",
    "Date of the documents": "Дата документов",
    "optional; a date per file below overrides it": (
        "необязательно; дата у отдельного файла ниже важнее"
    ),
    "Upload and start a cycle": "Загрузить и начать цикл",
    "Limits": "Ограничения",
    "Files in one upload": "Файлов в одной загрузке",
    "One document": "Один документ",
    "Zips, expanded": "Zip-архивы в распакованном виде",
    "One request": "Один запрос",
    "Text, Markdown, HTML, PDF, DOCX and zips of folder trees. Folder paths are kept and shown "
    "with every passage.": "Текст, Markdown, HTML, PDF, DOCX и zip-архивы с папками. Пути папок "
    "сохраняются и показываются у каждого фрагмента.",
    # cycle
    "started": "начат",
    "on production version": "на версии",
    "Review the changes": "Проверить изменения",
    "Cancel this cycle?": "Отменить этот цикл?",
    "Cancel": "Отменить",
    "Retry from the failed step": "Повторить с упавшего шага",
    "Steps": "Шаги",
    "Now": "Сейчас",
    "Waiting for a worker…": "Ждём обработчик…",
    "Event log": "Журнал событий",
    # review
    "Decision": "Решение",
    "computed on version": "рассчитано на версии",
    "Apply this change set to production as a new version?": (
        "Применить эти изменения как новую рабочую версию?"
    ),
    "Approve": "Утвердить",
    "Discard this change set? Production is not touched.": (
        "Отклонить эти изменения? Рабочая версия не изменится."
    ),
    "Reject": "Отклонить",
    "Production moved since this change set was computed.": (
        "Рабочая версия изменилась после расчёта этих изменений."
    ),
    "Rebase": "Пересчитать",
    "Only owners approve or reject.": "Утверждают и отклоняют только владельцы.",
    "Before you decide": "Прежде чем решать",
    "Sections": "Разделы",
    "Merges": "Слияния",
    "also": "также",
    "weight": "вес",
    "was": "было",
    "Source passages": "Фрагменты источников",
    "No passage recorded.": "Фрагмент не записан.",
    "Added to the description": "Добавлено к описанию",
    "Old fact": "Прежний факт",
    "New fact": "Новый факт",
    "valid from": "действует с",
    "valid until": "действовал до",
    "source": "источник",
    "Why": "Почему",
    "Evidence": "Основания",
    "Pages": "Страницы",
    "Previous": "Назад",
    "Next": "Дальше",
    "Nothing in this section.": "В этом разделе ничего нет.",
    # versions
    "Production holds version": "В работе версия",
    "A rollback is recorded as a new version, so it can be undone too.": (
        "Откат записывается как новая версия, поэтому его тоже можно отменить."
    ),
    "Version": "Версия",
    "What": "Что",
    "Who": "Кто",
    "When": "Когда",
    "Triples added": "Добавлено триплетов",
    "Triples removed": "Удалено триплетов",
    "current": "текущая",
    "approved cycle": "утверждён цикл",
    "rollback to": "откат к",
    "Return production to version %(n)s?": "Вернуть рабочую версию к v%(n)s?",
    "Roll back to v%(n)s": "Откатить к v%(n)s",
    "empty production": "пустая база",
    "Nothing approved yet: production is empty.": "Ничего ещё не утверждено: база пуста.",
    # chat
    "New conversation": "Новый разговор",
    "Your conversations": "Ваши разговоры",
    "None yet.": "Пока нет.",
    "Conversation": "Разговор",
    "Ask a question about the approved knowledge graph. Answers cite the passages they come "
    "from.": "Задайте вопрос по утверждённому графу знаний. В ответах есть ссылки на фрагменты "
    "источников.",
    "Question": "Вопрос",
    "Ask a question…": "Задайте вопрос…",
    "Ask": "Спросить",
    "passage": "фрагмент",
    # settings
    "General": "Общие",
    "Save": "Сохранить",
    "Saved.": "Сохранено.",
    "Members": "Участники",
    "Member": "Участник",
    "Role": "Роль",
    "Since": "С",
    "Remove %(who)s from this knowledge base?": "Удалить %(who)s из этой базы знаний?",
    "Add by email": "Добавить по эл. почте",
    "Add": "Добавить",
    "Viewers read, review and chat; editors also upload; owners approve, roll back and manage "
    "members.": "Читатели читают, смотрят изменения и спрашивают; редакторы ещё и загружают; "
    "владельцы утверждают, откатывают и управляют участниками.",
    "Delete this knowledge base": "Удалить эту базу знаний",
    "Its documents, graph, versions and chats are deleted for every member. This cannot be "
    "undone.": "Её документы, граф, версии и чаты удаляются для всех участников. Это нельзя "
    "отменить.",
    "Type the name to confirm": "Для подтверждения введите название",
    "Delete for everyone": "Удалить для всех",
    # status
    "Every component this server needs, checked now (the same as GET /health).": (
        "Все компоненты, нужные серверу, проверены сейчас (то же, что GET /health)."
    ),
    "checking…": "проверяем…",
    "Component": "Компонент",
    "Latency": "Задержка",
    "Detail": "Подробности",
    # scripts
    "About": "Примерно",
    "left in this step": "до конца шага",
    "s": "с",
    "min": "мин",
    "h": "ч",
    "Finished; loading the outcome…": "Готово; загружаем результат…",
    "file|files": "файл|файла|файлов",
    "Remove": "Удалить",
    "At most": "Не больше",
    "Date of": "Дата документа",
    "Choose at least one file.": "Выберите хотя бы один файл.",
    "Uploading…": "Загружаем…",
    "Type the exact name to confirm.": "Введите название точно, чтобы подтвердить.",
    "Timings and facts used": "Время и использованные факты",
    "Offline stand-in: answers are rule-based, not from a model.": (
        "Офлайн-заглушка: ответы строятся по правилам, а не моделью."
    ),
    "stand-in": "заглушка",
    # values
    "status:pending": "ожидает",
    "status:queued": "в очереди",
    "status:running": "выполняется",
    "status:progress": "выполняется",
    "status:review": "на проверке",
    "status:approved": "утверждён",
    "status:rejected": "отклонён",
    "status:failed": "ошибка",
    "status:cancelled": "отменён",
    "status:stale": "устарел",
    "status:done": "готово",
    "status:ok": "работает",
    "status:degraded": "есть сбои",
    "status:down": "недоступен",
    "role:owner": "владелец",
    "role:editor": "редактор",
    "role:viewer": "читатель",
    "step:index": "Индексация",
    "step:to_rdf": "В RDF",
    "step:schema": "Онтология",
    "step:merge": "Слияние",
    "step:staging": "Подготовка",
    "step:pipeline": "Цикл",
    "section:entities_added": "Новые сущности",
    "section:entities_changed": "Изменённые сущности",
    "section:entities_removed": "Удалённые сущности",
    "section:relations_added": "Новые связи",
    "section:relations_changed": "Изменённые связи",
    "section:relations_removed": "Удалённые связи",
    "section:ontology_added": "Новые термины",
    "section:ontology_changed": "Изменённые термины",
    "section:facts_superseded": "Заменённые факты",
    "section:facts_ended": "Завершённые факты",
    "section:facts_flagged": "Возможно устаревшие факты",
    "kind:class": "класс",
    "kind:object_property": "тип связи",
    "kind:datatype_property": "атрибут",
    "component:database": "База данных (PostgreSQL)",
    "component:redis": "Очередь и события (Redis)",
    "component:store": "Хранилище триплетов",
    "component:worker": "Обработчики",
    "component:llm": "Языковая модель",
    # errors (codes of the API)
    "error:registration_closed": "Регистрация на этом сервере закрыта; попросите учётную запись "
    "у администратора.",
    "error:rag_not_found": "Такой базы знаний нет, или вы не её участник.",
    "error:insufficient_role": "Ваша роль в этой базе знаний этого не позволяет.",
    "error:csrf_failed": "Форма устарела. Отправьте её ещё раз.",
    "error:not_found": "Здесь ничего нет.",
    "error:cycle_not_found": "Такого цикла обновления нет.",
    "error:session_not_found": "Такого разговора нет, или он не ваш.",
    "error:change_set_unavailable": "У этого цикла нет изменений для проверки (ещё или уже).",
    "error:network": "Сервер недоступен. Проверьте соединение и повторите.",
    "error:invalid_credentials": "Неверная эл. почта или пароль.",
    "error:account_disabled": "Эта учётная запись отключена.",
    "error:too_many_failed_logins": "Слишком много неудачных входов. Подождите и попробуйте снова.",
    "error:email_taken": "Учётная запись с этой почтой уже есть; войдите.",
    "error:weak_password": "Пароль слишком простой: возьмите длиннее и необычнее.",
    "error:member_exists": "Этот человек уже участник; измените его роль.",
    "error:user_not_found": "Учётной записи с этой почтой нет; попросите человека "
    "зарегистрироваться.",
    "error:last_owner": "У базы знаний должен остаться владелец; сначала назначьте другого.",
    "error:cycle_stale": "Рабочая версия изменилась: пересчитайте изменения и утвердите снова.",
    "error:too_many_files": "Слишком много файлов в одной загрузке.",
    "error:payload_too_large": "Загрузка больше допустимого размера.",
    "error:upload_daily_limit": "Дневной объём загрузок исчерпан.",
    "error:upload_concurrency_limit": "Дождитесь окончания предыдущей загрузки.",
    "error:rate_limited": "Слишком много запросов; подождите немного.",
    "error:llm_unavailable": "Языковая модель недоступна.",
    "error:confirm_name": "Введите название точно, чтобы подтвердить.",
    "error:no_files": "Выберите хотя бы один файл.",
    # --- ui2: API keys, chat "as of", per-file upload errors ---
    "API keys": "API-ключи",
    "A key lets a program ask your knowledge bases through the OpenAI-compatible API. It acts "
    "as you: it reaches the knowledge bases you are a member of, with your role.": (
        "Ключ позволяет программе задавать вопросы вашим базам знаний через API, совместимый с "
        "OpenAI. Ключ действует от вашего имени: ему доступны базы знаний, в которых вы "
        "состоите, с вашей ролью."
    ),
    "Your keys": "Ваши ключи",
    "Key": "Ключ",
    "Created": "Создан",
    "Last used": "Последнее использование",
    "never": "не использовался",
    "revoked": "отозван",
    "active": "действует",
    "Revoke": "Отозвать",
    "No keys yet.": "Ключей пока нет.",
    "New key": "Новый ключ",
    "What it is for": "Для чего он",
    "e.g. open-webui": "например, open-webui",
    "Create key": "Создать ключ",
    "Copy the key now: it is shown only once.": "Скопируйте ключ сейчас: он показывается один раз.",
    "Copy": "Скопировать",
    "Copied.": "Скопировано.",
    "Selected: copy it with Ctrl+C.": "Ключ выделен: скопируйте его сочетанием Ctrl+C.",
    "Revoke this key? Programs that use it are refused from now on.": (
        "Отозвать этот ключ? Программам, которые им пользуются, с этого момента будет отказано."
    ),
    "How to connect": "Как подключиться",
    "Base URL (OpenAI API)": "Базовый URL (API OpenAI)",
    "API key": "API-ключ",
    "a key from this page, sent as": "ключ с этой страницы, в заголовке",
    "Model": "Модель",
    "one per knowledge base you are a member of, named": (
        "по одной на каждую вашу базу знаний, с именем"
    ),
    "Python (openai client)": "Python (клиент openai)",
    "optional: the facts that held on that date": "необязательно: факты, верные на эту дату",
    "Admin panel → Settings → Connections → OpenAI API: add a connection.": (
        "Панель администратора → Настройки → Подключения → OpenAI API: добавьте подключение."
    ),
    "URL:": "URL:",
    "(as Open WebUI's server reaches ferag: from another container, not 127.0.0.1)": (
        "(адрес, по которому сервер Open WebUI видит ferag: из другого контейнера это не 127.0.0.1)"
    ),
    "Key: a key created here (one per Open WebUI, so it can be revoked alone).": (
        "Ключ: созданный здесь (отдельный для Open WebUI, чтобы его можно было отозвать отдельно)."
    ),
    "Each knowledge base appears as a model; answers end with their sources.": (
        "Каждая база знаний видна как модель; ответы заканчиваются списком источников."
    ),
    "Answer as of": "Ответить на дату",
    "a past date answers from the facts that held then; empty: now": (
        "для прошедшей даты ответ строится по фактам, верным тогда; пусто — на сегодня"
    ),
    "Answered as of": "Ответ на дату",
    "Answered from all facts, ended ones included": (
        "Ответ по всем фактам, включая утратившие силу"
    ),
    "Answered for the period": "Ответ за период",
    "Answered from the current facts": "Ответ по действующим фактам",
    "from the answer cache": "из кэша ответов",
}

JS_MESSAGES: tuple[str, ...] = (
    "About",
    "left in this step",
    "s",
    "min",
    "h",
    "Finished; loading the outcome…",
    "file|files",
    "Remove",
    "At most",
    "Date of",
    "Choose at least one file.",
    "Uploading…",
    "Type the exact name to confirm.",
    "Timings and facts used",
    "Offline stand-in: answers are rule-based, not from a model.",
    "stand-in",
    "passage",
    # ui2
    "Revoke",
    "active",
    "never",
    "revoked",
    "Copied.",
    "Selected: copy it with Ctrl+C.",
    "Revoke this key? Programs that use it are refused from now on.",
    "Answered as of",
    "Answered from all facts, ended ones included",
    "Answered for the period",
    "Answered from the current facts",
    "from the answer cache",
    *(key for key in VALUES_EN if key.startswith(("status:", "component:"))),
)

# --- review: merges and decisions, consistency findings, the graph view (issue 13) -----------
# Kept in a block of its own (added to the catalogues above) so parallel work merges cleanly.

VALUES_EN |= {
    "section:merges_production": "Merged into production",
    "section:merges_cycle": "Merged in this cycle",
    "section:merges_flagged": "Possible duplicates",
    "section:violations": "Consistency",
    "decided_by:rules": "rules",
    "decided_by:llm": "language model",
    "decided_by:reviewer": "reviewer",
    "severity:Violation": "violation",
    "severity:Warning": "warning",
    "severity:Info": "note",
}

ERRORS_EN |= {
    "override_reason_required": "Give a reason for approving despite the consistency findings.",
    "not_an_entity": "This is not an entity of this knowledge base.",
}

RU |= {
    # values
    "section:merges_production": "Слияния с рабочей версией",
    "section:merges_cycle": "Слияния внутри цикла",
    "section:merges_flagged": "Возможные дубликаты",
    "section:violations": "Согласованность",
    "decided_by:rules": "правила",
    "decided_by:llm": "языковая модель",
    "decided_by:reviewer": "проверяющий",
    "severity:Violation": "нарушение",
    "severity:Warning": "предупреждение",
    "severity:Info": "замечание",
    # decision bar
    "Approval is blocked.": "Утверждение заблокировано.",
    "The consistency check found %(num)d violation in this change set.": (
        "Проверка согласованности нашла %(num)d нарушение в этих изменениях."
    ),
    "The consistency check found %(num)d violations in this change set.": (
        "Проверка согласованности нашла %(num)d нарушение в этих изменениях.|"
        "Проверка согласованности нашла %(num)d нарушения в этих изменениях.|"
        "Проверка согласованности нашла %(num)d нарушений в этих изменениях."
    ),
    "See the findings": "Посмотреть находки",
    "Why approve anyway?": "Почему утвердить несмотря на это?",
    "kept on the version": "сохранится в версии",
    "Approve with override": "Утвердить в обход проверки",
    # merges
    "kept apart": "оставлены раздельно",
    "absorbs": "поглощает",
    "score": "оценка",
    "decided by": "решение",
    "Kept apart": "Оставлены раздельно",
    "Names merged": "Слитые имена",
    "Into": "В сущность",
    "Possible duplicate of": "Возможный дубликат",
    "Score": "Оценка",
    "Decided by": "Кто решил",
    "Signals": "Признаки",
    "Reason": "Причина",
    "Merge": "Слить",
    "Split": "Разделить",
    "Merge these two entities? The cycle merges again; every later cycle keeps them merged.": (
        "Слить эти две сущности? Слияние цикла выполнится заново; все следующие циклы "
        "сохранят это решение."
    ),
    "Keep these apart? The cycle merges again; every later cycle keeps them apart.": (
        "Оставить их раздельными? Слияние цикла выполнится заново; все следующие циклы "
        "сохранят это решение."
    ),
    "Graph of its neighbourhood": "Граф окружения",
    # consistency findings
    "Property": "Свойство",
    "value": "значение",
    "Statements behind it": "Утверждения, из-за которых",
    "new in this cycle": "новое в этом цикле",
    "in production": "в рабочей версии",
    "No statement recorded.": "Утверждения не записаны.",
    # graph view
    "review": "проверка",
    "Graph of the changes around": "Граф изменений вокруг",
    "Relations this change set adds or changes that touch the entity. Select a neighbour to "
    "centre the graph on it.": "Связи сущности, которые эти изменения добавляют или меняют. "
    "Выберите соседа, чтобы поставить его в центр.",
    "The drawing needs scripts; the table below lists the same relations.": (
        "Для рисунка нужны скрипты; в таблице ниже те же связи."
    ),
    "added": "добавлена",
    "changed": "изменена",
    "only the first %(n)s relations are drawn": "показаны только первые %(n)s связей",
    "Relations around the entity": "Связи вокруг сущности",
    "Subject": "Субъект",
    "Relation": "Связь",
    "Object": "Объект",
    "Change": "Изменение",
    "This change set adds or changes no relation of this entity.": (
        "Эти изменения не добавляют и не меняют связей этой сущности."
    ),
    "graph": "граф",
    # versions
    "approved despite consistency findings": "утверждено несмотря на нарушения",
    # errors of the API
    "error:override_reason_required": "Укажите причину, по которой утверждаете несмотря на "
    "нарушения согласованности.",
    "error:consistency_violations": "Проверка согласованности нашла нарушения; утвердить можно "
    "только в обход проверки, указав причину.",
    "error:not_an_entity": "Это не сущность этой базы знаний.",
    "error:cycle_not_in_review": "Решения принимаются только по циклу на проверке.",
    "error:cycle_not_remergeable": "Это слияние владельца; его можно только отклонить.",
}

JS_MESSAGES = (*JS_MESSAGES, "graph")

# --- settings: the RAG's remembered resolution decisions -----------------------------------------

VALUES_EN |= {
    "verdict:same": "merged",
    "verdict:different": "kept apart",
}

RU |= {
    "verdict:same": "объединены",
    "verdict:different": "разделены",
    "Resolution decisions": "Решения о сущностях",
    "Entities": "Сущности",
    "Forget": "Забыть",
    "not in production": "нет в рабочей версии",
    "Forget this decision? Later cycles decide this pair by their rules again.": (
        "Забыть это решение? Следующие циклы снова решат об этой паре по своим правилам."
    ),
    "The newest %(shown)s of %(total)s.": "Последние %(shown)s из %(total)s.",
    "No decisions yet. When you split or merge entities in a review, ferag remembers it here "
    "and every later cycle keeps to it.": (
        "Решений пока нет. Когда при проверке вы разделяете или объединяете сущности, ferag "
        "запоминает это здесь, и каждый следующий цикл следует решению."
    ),
}

# --- the owner's merge of production entities ------------------------------------------------

RU |= {
    "Merge entities of production": "Объединение сущностей рабочей версии",
    "Merge entities of production…": "Объединить сущности рабочей версии…",
    "When production holds one real thing as several entities, keep one and merge the others "
    "into it. The merge is a cycle of its own: review and approve it like any other; a rollback "
    "undoes it.": (
        "Если один реальный объект хранится в рабочей версии как несколько сущностей, оставьте "
        "одну и объедините с ней остальные. Объединение — отдельный цикл: проверьте и утвердите "
        "его, как любой другой; откат его отменяет."
    ),
    "Find entities": "Найти сущности",
    "names, several at once: NIAG Nordvik": "имена, можно несколько сразу: НИАГ Нордвик",
    "Find": "Найти",
    "Found": "Найдено",
    "Propose this merge? A cycle opens for review; production changes only when it is approved.": (
        "Предложить это объединение? Откроется цикл на проверку; рабочая версия изменится "
        "только после утверждения."
    ),
    "Keep": "Оставить",
    "Merge into it": "Влить в неё",
    "Entity": "Сущность",
    "Keep %(name)s": "Оставить %(name)s",
    "Merge %(name)s": "Влить %(name)s",
    "Propose the merge": "Предложить объединение",
    "No entity of production has that name.": "В рабочей версии нет сущности с таким именем.",
}
