# Тексты веб-консоли на русском. Каждое сообщение есть и в kk.ftl, и в en.ftl (модульный тест
# сравнивает все три). Число приходит дважды: $count выбирает форму множественного числа,
# $shown — то же число, записанное по правилам языка.

app-name = Таңба
app-tagline = Национальная маркировка товаров
skip-to-content = К содержанию
language-label = Язык
signed-in-as = Вы вошли как { $name }
sign-out = Выйти
sign-out-everywhere = Выйти на всех устройствах

nav-home = Главная
nav-inbox = Уведомления
nav-orders = Заказы кодов
nav-shipments = Отгрузки
nav-till = Касса
nav-cases = Дела
nav-recalls = Отзывы
nav-audit = Аудит
nav-participants = Участники
nav-health = Сервер
nav-registers = Реестры
nav-certificates = Сертификаты
nav-feeds = Потоки
nav-statistics = Статистика

role-producer = производитель
role-importer = импортёр
role-wholesaler = оптовик
role-retailer = магазин
role-fiscal-data-operator = оператор фискальных данных
role-authority = уполномоченный орган
role-ministry = министерство
role-operator = оператор

sign-in-title = Вход
sign-in-lead = Выберите файл ключа участника. Он читается только в этом браузере: секретный ключ подписывает запрос сервера здесь и никуда не отправляется.
sign-in-key-file = Файл ключа
sign-in-button = Войти
sign-in-needs-script = Для входа нужен JavaScript: ключ подписывает запрос в этом браузере средствами WebCrypto.
sign-in-no-ed25519 = Этот браузер не умеет подписывать ключами Ed25519. Используйте актуальный Chromium, Firefox или Safari.
sign-in-bad-file = Это не файл ключа Таңба.
sign-in-working = Выполняется вход…
signed-out = Вы вышли из системы.
session-ended = Сеанс завершён. Войдите снова.
participant-suspended = Ваше участие приостановлено: сеанс завершён.

home-title = Главная
home-roles = Ваши роли: { $roles }
home-unread = { $count ->
    [0] Непрочитанных уведомлений нет
    [one] { $shown } непрочитанное уведомление
    [few] { $shown } непрочитанных уведомления
   *[many] { $shown } непрочитанных уведомлений
}
home-what = Что можно сделать здесь

inbox-title = Уведомления
inbox-empty = Уведомлений пока нет.
inbox-count = { $count ->
    [one] { $shown } уведомление
    [few] { $shown } уведомления
   *[many] { $shown } уведомлений
}
notice-received = Получено
notice-read = Прочитано
notice-unread = Не прочитано
notice-case = Дело
notice-mark-read = Отметить прочитанным
notice-more = Ещё уведомления

error-title = Что-то пошло не так
error-back = На главную

date-long = { $day } { $month } { $year } г.
month-1 = января
month-2 = февраля
month-3 = марта
month-4 = апреля
month-5 = мая
month-6 = июня
month-7 = июля
month-8 = августа
month-9 = сентября
month-10 = октября
month-11 = ноября
month-12 = декабря

codes-count = { $count ->
    [one] { $shown } код
    [few] { $shown } кода
   *[many] { $shown } кодов
}
days-count = { $count ->
    [one] { $shown } день
    [few] { $shown } дня
   *[many] { $shown } дней
}
working-days-count = { $count ->
    [one] { $shown } рабочий день
    [few] { $shown } рабочих дня
   *[many] { $shown } рабочих дней
}

list-more = Ещё

orders-title = Заказы кодов
orders-empty = Заказов пока нет.
order-title = Заказ
order-product = Товар
order-progress-title = Выпущено
order-progress = { $issued } из { $quantity }
order-placed = Размещён
order-new = Заказать коды
order-gtin = GTIN товара
order-quantity = Сколько кодов
order-submit = Заказать
order-issuing = Коды выпускаются; страница обновляется сама.
order-download = Скачать коды (текст)
labels-title = Этикетки
labels-layout = Размер этикетки
labels-from = С кода номер (считая от 0)
labels-count = Сколько этикеток
labels-pdf = Этикетки в PDF
labels-preview = Первая этикетка
layout-a4-70x37 = Лист A4, этикетки 70 × 37 мм (24 на листе)
layout-a4-52x30 = Лист A4, этикетки 52,5 × 29,7 мм (40 на листе)
layout-roll-58x40 = Термолента, 58 × 40 мм
layout-roll-43x25 = Термолента, 43 × 25 мм

shipments-title = Отгрузки
shipments-empty = Отгрузок пока нет.
shipment-new = Новая отгрузка
shipment-direction = От кого / кому
shipment-from = От
shipment-to = Кому
shipment-items = Позиции
shipment-state = Состояние
shipment-created = Отправлено
items-count = { $count ->
    [one] { $shown } позиция
    [few] { $shown } позиции
   *[many] { $shown } позиций
}
document-pending = ждёт покупателя
document-accepted = принята
document-rejected = отклонена
document-cancelled = отозвана
shipment-title = Отгрузка
shipment-seller = Продавец
shipment-buyer = Покупатель
shipment-take = Принять
shipment-code = Код или упаковка
shipment-accept = Принять отмеченное
shipment-reject = Отклонить всю отгрузку
shipment-accepted-items = Принято
shipment-returned-items = Возвращено продавцу
shipment-cancel = Отозвать отгрузку
shipment-buyer-id = ИИН/БИН покупателя
shipment-codes = Коды и упаковки, по одному в строке (сканируйте сюда)
shipment-codes-max = { $count ->
    [one] Не более { $shown } кода или упаковки.
    [few] Не более { $shown } кодов и упаковок.
   *[many] Не более { $shown } кодов и упаковок.
}
shipment-send = Подписать и отправить
sign-key-file = Ваш файл ключа для подписи
sign-explained = Документ подписывается в этом браузере вашим ключом; ключ не отправляется.
sign-needs-script = Для подписи нужен JavaScript: ключ подписывает документ в этом браузере средствами WebCrypto.
sign-bad-key = Это не файл ключа участника, вошедшего в систему.
sign-working = Подписание…

till-title = Касса
till-scan = Сканируйте коды сюда, по одному в строке
till-check = Проверить
till-verdict = Можно продать?
till-sellable = Да
till-not-sellable = Нет
till-price = Цена, тенге
till-sell = Продать одним чеком
till-recorded = Записано (запись журнала { $sequence }).
till-duplicate = Этот чек уже был записан (запись журнала { $sequence }): ничего не изменилось.
till-receipt-id = Чек
till-refused-lines = Непроданные строки
till-return-title = Возврат
till-sale-receipt = Чек продажи
till-return-codes = Возвращаемые коды, по одному в строке
till-return = Принять возврат

codes-title = Коды
codes-which = Код или упаковка в любом виде (сканируйте сюда)
codes-show = Показать карточку
card-status = Статус
card-owner = Владелец
card-produced = Произведён
card-expires = Годен до
card-batch = Партия
card-inside = Внутри
card-contents = единиц: { $units }, групповых упаковок: { $groups }, транспортных упаковок: { $pallets }
card-in-package = В упаковке
card-blocked = Заблокирован
status-emitted = выпущен, ещё не нанесён
status-applied = нанесён, ещё не в обороте
status-introduced = в обороте
status-withdrawn = выведен из оборота: { $reason }
withdrawal-retail-sale = продан потребителю
withdrawal-export-to-eaeu = продан в государство ЕАЭС
withdrawal-export-outside-eaeu = вывезен за пределы ЕАЭС
withdrawal-write-off = списан
withdrawal-destruction = уничтожен
withdrawal-recall-disposal = утилизирован при отзыве
withdrawal-confiscation = конфискован
block-title = Заблокировать или снять блокировку
block-codes = Коды и упаковки, по одному в строке
block-reason = Причина (видна кассам и покупателям)
block-button = Заблокировать
unblock-button = Снять мою блокировку
block-done = Заблокировано (запись журнала { $sequence }): все кассы теперь отказывают в продаже этих кодов.
block-lifted = Ваша блокировка снята (запись журнала { $sequence }).

nav-codes = Коды
nav-reports = Сообщения
audit-title = Журнал аудита
audit-participant = Участник (ИИН/БИН)
audit-code = Код
audit-from = С
audit-until = По
audit-node = Узел (пусто: этот)
audit-search = Найти
audit-none = Записей нет.
audit-time = Время
audit-method = Вызов
audit-arguments = Что названо
audit-outcome = Итог
reports-title = Сообщения граждан о нарушениях
reports-map = Где о них сообщили
reports-none = Сообщений нет.
reports-kind = Вид
reports-comment = Комментарий
reports-place = Место
reports-flagged = код отмечен как вероятная копия
violation-counterfeit = подделка
violation-sold-after-expiry = продажа после срока годности
violation-no-code = нет кода
violation-price = цена
violation-other = другое
city-astana = Астана
city-almaty = Алматы
city-shymkent = Шымкент
city-aktobe = Актобе
city-atyrau = Атырау
city-aktau = Актау
city-oskemen = Усть-Каменогорск
city-pavlodar = Павлодар
city-karaganda = Караганда
city-kostanay = Костанай

## Cases
cases-title = Дела
cases-as-party = Мои заявления и дела
cases-as-authority = Дела моего органа
cases-empty = Дел пока нет.
cases-open = Начать процедуру
case-kind = Процедура
case-state = Состояние
case-party = Заявитель или обязанное лицо
case-authority = Уполномоченный орган
case-parent = Относится к делу
case-named = Названный участник
case-opened = Открыто
case-updated = Последнее изменение
case-number = Номер документа
case-closed = закрыто
case-clocks = Сроки
case-steps = Что можно сделать сейчас
clause-abbreviation = п.
case-step-clause = Правовое основание
case-data = Сведения дела
case-files = Файлы
case-history = История
case-history-step = { $step } — { $by }
case-history-more = { $count ->
    [one] и ещё { $shown } шаг
    [few] и ещё { $shown } шага
   *[many] и ещё { $shown } шагов
}
case-more-rows = Больше строк
clock-name = Срок
clock-term = Продолжительность
clock-status = Состояние
clock-due = истекает { $day }
clock-due-today = истекает сегодня
clock-overdue = просрочен с { $day }
clock-paused = приостановлен с { $day }
clock-stopped = завершён { $day }
clock-term-working = { $count ->
    [one] { $shown } рабочий день
    [few] { $shown } рабочих дня
   *[many] { $shown } рабочих дней
}
clock-term-calendar = { $count ->
    [one] { $shown } календарный день
    [few] { $shown } календарных дня
   *[many] { $shown } календарных дней
}
clock-extended = { $count ->
    [one] продлён на { $shown } день
    [few] продлён на { $shown } дня
   *[many] продлён на { $shown } дней
}
file-bytes = { $count ->
    [one] { $shown } байт
    [few] { $shown } байта
   *[many] { $shown } байтов
}
field-hint-taxpayer = ИИН или БИН: 12 цифр.
field-hint-taxpayers = По одному ИИН или БИН в строке.
field-hint-list = По одному значению в строке.
field-hint-decimal = Число больше нуля; дробную часть можно отделить запятой или точкой.
field-hint-code = Код, как он отсканирован или напечатан.
field-hint-gtin = GTIN: 8, 12, 13 или 14 цифр.
field-hint-hs-code = Код ТН ВЭД ЕАЭС: 10 цифр.
field-hint-currency = Валюта: три заглавные буквы (KZT).
field-hint-country = Страна: две заглавные буквы (KZ).
field-hint-control-code = Код контрольного списка (ML1, 1C350.a).
field-hint-unit = Единица измерения ЕАЭС: 3 цифры (796).
answer-yes = да
answer-no = нет
holders-title = Владельцы товара и его судьба
holders-holder = Владелец
holders-recalled = Было на момент отзыва
holders-returned = Возвращено
holders-disposed = Утилизировано
holders-still-held = Ещё у владельца
holders-elsewhere = Передано дальше
holders-sold-before = Продано до отзыва
holders-effective = Эффективность
holders-total = Все владельцы на этой странице
holders-census-complete = Все владельцы учтены.
holders-census-running = Владельцы ещё подсчитываются; цифры растут, пока подсчёт не завершится.
holders-explained = Эффективность — доля единиц, находившихся у владельца на момент отзыва, которые возвращены или утилизированы. Считается по каждой единице по данным реестра на сейчас.

## Goods
nav-goods = Товары
goods-title = Операции с товаром
goods-explained = Коды — по одному в строке, как отсканированы или напечатаны. Каждая операция проверяется и записывается так же, как через API.
goods-codes = Коды, по одному в строке
goods-applied-title = Нанесение кодов на товар
goods-production-date = Дата производства
goods-expiry-date = Срок годности (если есть)
goods-batch = Партия
goods-applied-button = Сообщить о нанесении
goods-applied-done = Коды записаны как нанесённые.
goods-introduce-title = Ввод в оборот
goods-introduce-how = Откуда товар
goods-introduce-own = Произведён в Казахстане
goods-introduce-import = Ввезён из-за пределов ЕАЭС
goods-introduce-eaeu = Получен из другого государства ЕАЭС
goods-customs-declaration = Номер декларации на товары (для импорта)
goods-from-country = Государство отправления, две буквы (для ЕАЭС)
goods-document-number = Номер документа отправителя (для ЕАЭС)
goods-seller-taxpayer = Номер налогоплательщика продавца в его государстве (для ЕАЭС)
goods-document-date = Дата документа отправителя (для ЕАЭС)
goods-introduce-button = Ввести в оборот
goods-introduced-done = Товар введён в оборот.
goods-aggregate-title = Агрегация
goods-parent = Код упаковки
goods-children = Коды, вложенные в неё, по одному в строке
goods-aggregate-button = Упаковать
goods-disaggregate-button = Извлечь эти коды из упаковок
goods-aggregated-done = Упаковка сформирована.
goods-disaggregated-done = Коды извлечены из упаковок.
goods-file-title = Агрегация из файла
goods-file = Файл упаковок
goods-file-explained = Каждая строка: код упаковки и один вложенный код через запятую, точку с запятой или табуляцию. Строки, начинающиеся с #, пропускаются.
goods-file-max = { $count ->
    [one] Не более { $shown } упаковки в файле.
    [few] Не более { $shown } упаковок в файле.
   *[many] Не более { $shown } упаковок в файле.
}
goods-file-button = Загрузить и упаковать
job-title = Задание агрегации
job-progress = Обработано { $done } из { $total } упаковок, отклонено { $refused }
job-running = Выполняется; страница обновляется сама.
job-finished = Завершено.
job-refusal = Причина отказа

## Operator
nav-reference = Справочники
participants-title = Реестр участников
participants-from = Показать начиная с ИИН/БИН
participants-show = Показать
participant-id = ИИН/БИН
participant-name = Наименование
participant-roles = Роли
participant-status = Статус
participant-status-active = действует
participant-status-suspended = приостановлен
participant-key = Ключ
participant-register = Зарегистрировать участника
participant-public-key = Открытый ключ (Ed25519, 64 шестнадцатеричные цифры)
participant-public-key-explained = Участник сам создаёт пару ключей (tanba keygen) и передаёт только открытый ключ; секретный ключ оператору не попадает.
participant-register-button = Зарегистрировать
participant-change = Изменить участника
participant-add-key = Добавить ключ (64 шестнадцатеричные цифры)
participant-change-button = Сохранить
participant-suspend = Приостановить
participant-suspend-explained = Приостановленный участник ничего не может делать; его сеансы завершаются при следующем запросе.
participant-lift = Снять приостановление
reference-title = Справочники
reference-none = не опубликован
reference-calendar = Действующий производственный календарь
reference-category-title = Товарная категория
reference-category-code = Код (латинские буквы, цифры, _)
reference-name-kk = Наименование на казахском
reference-name-ru = Наименование на русском
reference-name-en = Наименование на английском
reference-tail = Криптохвост кодов
reference-tail-full = подпись (AI 91 и 92, проверяется офлайн)
reference-tail-short = { $count ->
    [one] короткий тег из { $shown } символа (AI 93)
   *[other] короткий тег из { $shown } символов (AI 93)
}
reference-return-days = Дней на возврат товара потребителем (0 — возврат не принимается)
reference-control-code = Код контрольного списка для товаров под экспортным контролем
reference-category-button = Определить категорию
reference-category-done = Категория определена.
reference-calendar-title = Опубликовать версию календаря
reference-set-title = Опубликовать версию справочника
reference-toml = Документ (TOML)
reference-publish = Опубликовать
reference-calendar-done = Версия календаря опубликована.
reference-set-done = Версия справочника опубликована.
reference-explained = Версия должна быть на единицу больше действующей. Ранее открытые дела сохраняют версии, с которыми открыты; их сроки пересчитываются только вперёд.
health-title = Сервер
health-serving = Обслуживает
health-serving-yes = да
health-serving-no = нет: хранилище отказывает в записи
health-head = Позиция журнала
health-head-hash = Хеш цепочки на этой позиции
health-sessions = Сеансы консоли
health-procedures = Процедуры
health-version = Версия
health-explained = Метрики для мониторинга — по адресу /metrics; /healthz отвечает балансировщикам.

## Products
nav-products = Товары (карточки)
products-title = Мои карточки товаров
products-empty = Карточек товаров пока нет.
product-name = Наименование
product-category = Категория
product-country = Страна происхождения (две буквы)
product-hs-code = Код ТН ВЭД ЕАЭС (10 цифр)
product-producer-name = Изготовитель, как указан на упаковке
product-level = Что маркирует код
product-level-unit = потребительскую единицу
product-level-group = групповую упаковку
product-shelf-life = Срок годности, дней (если есть)
product-register = Зарегистрировать карточку товара
product-register-button = Зарегистрировать
product-change = Изменить карточку
product-change-button = Сохранить
product-new = Новая карточка

## Receipts
nav-receipts = Чеки
receipts-title = Чеки
receipts-empty = Чеков пока нет.
receipt-id = Чек
receipt-kind = Вид
receipt-sale = продажа
receipt-return = возврат по чеку { $sale }
receipt-recorded = Записан
receipt-codes = Кодов
receipt-total = Сумма, тенге
receipt-refused = Отклонено строк
reports-photo = Фото
reports-photo-open = открыть
case-files-attach = Прикрепить файлы
case-files-attach-explained = Файлы сначала отправляются на сервер; подпись охватывает их хеши.
case-files-uploading = Отправка файлов…

registers-title = Государственные реестры
registers-gateway = Шлюз электронного правительства
registers-gateway-none = не настроен: адаптеры не работают, журнал хранит известное
registers-roots = Доверенные корневые сертификаты
registers-adapters = Адаптеры
registers-adapters-none = Адаптеры ещё не запускались.
registers-register = Реестр
registers-entrepreneurs = Индивидуальные предприниматели
registers-revocations = Удостоверяющий центр: списки отозванных
registers-last-attempt = Последняя попытка
registers-last-success = Последний успех
registers-failures = Неудач подряд
registers-changes = Изменено
registers-rejected = Отброшено записей
registers-error = Последняя ошибка
registers-known = Что известно журналу
registers-entrepreneurs-refreshed = Реестр предпринимателей обновлён
registers-entrepreneurs-total = Записей в реестре
registers-issuer = Удостоверяющий центр
registers-this-update = Список выпущен
registers-next-update = Следующий список
registers-revoked = Отозвано сертификатов
registers-current = Действует
registers-current-yes = да
registers-current-no = нет: его сертификаты не принимаются
registers-explained = Каждое обновление — событие журнала, поэтому все узлы знают одно и то же. Неудачное обновление ничего не меняет и повторяется с нарастающей паузой; список старее известного отклоняется.
certificates-title = Сертификаты
certificates-session = Ваш сеанс
certificates-session-key = Вы вошли по зарегистрированному ключу, а не по сертификату.
certificates-issuer = Издатель
certificates-serial = Серийный номер
certificates-standing = Состояние сейчас
certificates-stands = действует: ведёт к доверенному корню, не отозван, список центра актуален
certificates-roots = Доверенные корневые сертификаты
certificates-roots-none = Корневые сертификаты не настроены: ни один сертификат не принимается.
certificates-subject = Владелец
certificates-valid-until = Действует до
certificates-check = Проверить сертификат
certificates-chain = Цепочка сертификатов (PEM, сначала сертификат владельца, затем издатели)
certificates-check-button = Проверить
certificates-holder = Указанный ИИН / БИН
certificates-explained = Сертификатом можно входить и подписывать документы и решения, пока он ведёт к доверенному корню, действует по датам, разрешён для подписи, а последний список отзыва его центра в журнале актуален и не называет его. После обновления, которое его отзывает, его сеансы завершаются, а подписанные им документы отклоняются.

feeds-title = Потоки для государства
feeds-head = Позиция журнала
feeds-checkpoint = Последняя подписанная контрольная точка
feeds-checkpoint-verified = подпись и цепочка проверены
feeds-checkpoint-broken = не проходит проверку
feeds-yours = Потоки, доступные вам
feeds-feed = Поток
feeds-address = Адрес
feeds-kind-tax = Налоги: передачи, продажи, возвраты, списания
feeds-kind-customs = Таможня: ввоз, вывоз, контролируемые товары
feeds-kind-eaeu = Взаимная торговля в ЕАЭС
feeds-kind-stages = Госуслуги: этапы
feeds-kind-goods = Свои товары
feeds-kind-registry = Реестр участников и реестры
feeds-kind-cases = Дела
feeds-kind-all = Весь журнал
feeds-followed = Читаются сейчас на этом узле
feeds-followed-none = Сейчас никто не читает поток.
feeds-follower = Читатель
feeds-opened = С
feeds-position = Позиция
feeds-lag = Отставание от головы
feeds-checkpoint-sent = Последняя отправленная контрольная точка
feeds-last-sent = Последняя отправка
feeds-explained = Читатель продолжает с последней позиции; `tanba feed verify` доказывает сохранённый поток открытыми ключами оператора до последней подписанной контрольной точки.

statistics-title = Статистика по товарам
statistics-owner = Владелец (ИИН/БИН; пусто — вы)
statistics-from = С
statistics-to = По
statistics-product = Товар (GTIN; пусто — все)
statistics-show = Показать
statistics-heading = Владелец { $owner }, с { $from } по { $to }.
statistics-truncated = За период больше показателей, чем помещается на странице: выберите период короче или один товар.
statistics-stock = Остатки по статусам
statistics-stock-none = У этого владельца нет кодов.
statistics-status = Статус
statistics-codes = Кодов
statistics-blocked = Из них заблокировано
statistics-with-blocked = { $codes } (заблокировано { $blocked })
statistics-top = Товары с наибольшими остатками (без выбывших)
statistics-flows = Движение по дням
statistics-flows-none = За период с товарами этого владельца ничего не происходило.
statistics-day = День
statistics-transport = Транспортные упаковки
statistics-explained = Остатки считают все коды владельца, упаковку — вместе со всем вложенным. Движение считается по дню (время Казахстана), когда система его записала: отгрузка — продавцу в день отправки, приёмка — покупателю. Показатели ведутся по мере событий, а не пересчитываются по кодам при запросе.
flow-issued = выпущено
flow-applied = нанесено
flow-introduced = введено в оборот
flow-shipped = отгружено
flow-accepted = принято
flow-sold = продано
flow-returned = возвращено покупателями
flow-exported = вывезено
flow-written-off = списано
flow-recalled = утилизировано при отзыве
flow-blocked = заблокировано
flow-unblocked = разблокировано
