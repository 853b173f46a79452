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
