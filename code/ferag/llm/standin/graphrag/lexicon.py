"""Word lists the stand-in's name finder uses: small, hand-made, English and Russian.

They are cues, not knowledge: a word list decides whether a capitalised word is a sentence
opener, whether a name is an organisation (a legal form or an institution word), a place (a
few dozen cities and countries) or an event, and which first names mark a person.
"""

# ruff: noqa: RUF001

from __future__ import annotations


def word_tuple(text: str) -> tuple[str, ...]:
    """The whitespace-separated words of ``text``, in order."""
    return tuple(text.split())


def name_tuple(text: str) -> tuple[str, ...]:
    """The comma-separated names of ``text``, in order."""
    return tuple(name.strip() for name in text.split(",") if name.strip())


def word_set(text: str) -> frozenset[str]:
    """The case-folded, whitespace-separated words of ``text``."""
    return frozenset(text.casefold().split())


# Capitalised words that open sentences or sit before names without being part of them.
STOPWORDS = word_set(
    """
    a an the this that these those it its he she his her hers they them their we our you your
    i my me us in on at by for from with to of into onto over under after before during since
    until about against between among through without within and or but nor so yet also however
    then thus there here when where while as if although though because once yesterday today
    tomorrow meanwhile moreover furthermore later earlier last next new each every all both some
    many most several such other another according mr mrs ms dr prof sir madam
    chapter section part page table figure note see
    в во на по с со к ко из у о об обо за для при после перед до от над под про через без между
    и или но а да же ли также однако затем потом тогда когда где как что чтобы если хотя
    он она оно они мы вы я ты его её ее их наш наша наши ваш ваша это этот эта эти тот та те
    все весь вся каждый каждая многие некоторые вчера сегодня завтра позже ранее кроме
    по-прежнему впрочем итак глава раздел таблица рисунок примечание господин госпожа г-н г-жа
    """
)

MONTHS_AND_DAYS = word_set(
    """
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
    январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь
    января февраля марта апреля мая июня июля августа сентября октября ноября декабря
    понедельник вторник среда среду четверг пятница пятницу суббота субботу воскресенье
    """
)

# Upper-case words that are not names.
ACRONYM_STOPWORDS = word_set("ceo cto cfo coo ai it pdf ok usd eur rub faq tv pr hr ip id qa")

# Legal forms: part of how a name is written, not of what it is called.
LEGAL_FORMS = word_set(
    """
    inc inc. llc ltd ltd. corp corp. co co. plc gmbh ag sa nv bv
    ооо ао пао зао оао нко ип фгуп гуп ано муп
    """
)

ORGANISATION_WORDS = word_set(
    """
    company corporation group holding holdings bank university institute agency ministry
    foundation council committee association society laboratory labs systems technologies
    industries partners ventures capital fund school college academy department office
    shipping shipyard airlines railways
    компания корпорация группа холдинг банк университет институт агентство министерство фонд
    совет комитет ассоциация общество лаборатория академия школа колледж департамент завод
    комбинат концерн трест служба управление центр верфь верфи
    """
)

EVENT_WORDS = word_set(
    """
    conference summit forum festival olympics expo exhibition championship war congress
    symposium fair
    форум конференция конференции конференцию саммит фестиваль выставка выставке выставку
    олимпиада чемпионат война съезд симпозиум ярмарка
    """
)

# Places by their usual name; a name is a place if it is one of these give or take a case
# ending (``Москве``, ``Казани``), and then it takes this spelling.
PLACES = name_tuple(
    """
    Moscow, Russia, London, Paris, Berlin, Germany, France, England, Britain, China, Beijing,
    Japan, Tokyo, India, Europe, Asia, America, USA, New York, Washington, California, Boston,
    Chicago, Canada, Toronto, Italy, Spain, Madrid, Kazan, Novosibirsk, Saint Petersburg,
    Kazakhstan, Almaty, Astana, Ukraine, Kyiv, Minsk, Belarus, Vienna, Austria, Prague, Warsaw,
    Poland, Finland, Helsinki, Sweden, Stockholm, Norway, Oslo, Amsterdam, Netherlands, Dubai,
    Istanbul, Turkey, Москва, Россия, Лондон, Париж, Берлин, Германия, Франция, Англия, Британия,
    Китай, Пекин, Япония, Токио, Индия, Европа, Азия, Америка, США, Нью-Йорк, Вашингтон, Канада,
    Италия, Испания, Мадрид, Казань, Новосибирск, Санкт-Петербург, Петербург, Екатеринбург, Самара,
    Сочи, Владивосток, Красноярск, Омск, Томск, Пермь, Казахстан, Алматы, Астана, Украина, Киев,
    Минск, Беларусь, Австрия, Прага, Варшава, Польша, Финляндия, Хельсинки, Швеция, Стокгольм
"""
)

# Prepositions after which a lone capitalised word is taken as a place.
PLACE_PREPOSITIONS = word_set("in at from to near across throughout в во из под около до через")

PERSON_TITLES = word_set("mr mrs ms dr prof sir господин госпожа г-н г-жа")

FIRST_NAMES = word_set(
    """
    john james robert michael william david richard joseph thomas charles mary patricia
    jennifer linda elizabeth barbara susan jessica sarah karen anna emma olivia sophia alice
    peter paul mark george edward helen laura maria daniel andrew kevin brian
    иван пётр петр алексей анна мария ольга сергей дмитрий андрей елена наталья михаил николай
    татьяна екатерина владимир александр александра павел игорь светлана юлия борис григорий
    константин юрий ирина людмила виктор евгений максим никита артём артем олег вера надежда
    галина антон роман кирилл илья марина анастасия ксения дарья софья полина василий фёдор
    федор степан тимур руслан
    """
)

# Endings of Russian patronymics, in any case.
PATRONYMIC_ENDINGS = word_tuple(
    "вич вича вичу вичем виче вна вны вне вну вной ична ичны ичне ичну ичной ич ича ичу ичем"
)

# Case endings stripped to group Russian word forms; never "ов"/"ев"/"ин" (they end surnames).
RUSSIAN_CASE_ENDINGS = word_tuple(
    "ами ями ого его ому ему ыми ими ой ей ом ем ах ях ую юю ая яя ые ие ых их ым им а я у ю е ы и"
    " о"
)

# Language names the prompts may ask for, mapped to the stand-in's template language.
RUSSIAN_LANGUAGE_NAMES = word_set("russian русский русском")
