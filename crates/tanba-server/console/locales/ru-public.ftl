# Тексты публичной страницы на русском: что телефон видит по GS1 Digital Link кода, главная
# страница с проверкой кода и ответы на её формы (уведомления об отзыве, сообщения о нарушениях).
# Каждый id начинается с public-; каждое сообщение есть и в kk-public.ftl, и в en-public.ftl.

public-brand = Tanba
public-tagline = Проверка маркированных товаров
public-title = Проверка маркировки
public-language = Язык

## Проверка кода.
public-card = Что известно по коду
public-code = Код
public-product = Товар
public-gtin = GTIN
public-producer = Производитель
public-importer = Импортёр
public-country = Страна происхождения
public-produced = Дата производства
public-expires = Срок годности
public-blocked-by = Заблокировал
public-recalled-by = Отзывает
public-recall-notice = Извещение об отзыве
public-untailed = Код проверен без криптохвоста: подлинность доказывает только полный код с упаковки
public-flagged = Этот код проверяли во многих местах или на него жаловались: возможна копия

## Уведомления об отзыве по телефону или e-mail (R-REC-07).
public-opt-in-title = Уведомления об отзыве
public-opt-in = Сообщите мне, если этот товар отзовут (телефон или e-mail):
public-opt-in-contact = Телефон или e-mail
public-opt-in-button = Подписаться
public-opted-in-title = Вы подписаны
public-opted-in = Вы подписаны. Сохраните номер и ключ: с ними можно прочитать уведомления или удалить контакт.
public-opt-in-number = Номер
public-opt-in-key = Ключ

## Сообщение о нарушении.
public-report-title = Сообщить о нарушении
public-report-lead = Расскажите инспекторам, что не так с этим товаром. Сообщение проверят они: оно не меняет результат проверки выше.
public-report-lead-no-code = Сообщите инспекторам о товаре, который продают без кода маркировки, или о другом нарушении.
public-report-code = Код на товаре (оставьте пустым, если его нет)
public-report-kind = Что не так
public-kind-counterfeit = Подделка
public-kind-sold-after-expiry = Продаётся с истёкшим сроком годности
public-kind-no-code = Продаётся без кода маркировки
public-kind-price = Цена выше допустимой
public-kind-other = Другое
public-report-comment = Комментарий (необязательно)
public-report-place = Где (необязательно)
public-report-latitude = Широта
public-report-longitude = Долгота
public-report-locate = Моё местоположение
public-report-locating = Определяем местоположение…
public-report-no-location = Местоположение недоступно: введите его вручную или оставьте пустым.
public-report-photo = Фото (необязательно)
public-report-photo-hint = JPEG, PNG или WebP, не больше { $shown } МБ
public-report-photo-too-large = Это фото больше { $shown } МБ: выберите поменьше.
public-report-send = Отправить сообщение
public-reported-title = Спасибо
public-reported = Ваше сообщение получено и будет передано инспекторам.
public-reported-number = Номер сообщения
public-reported-keep = Сохраните этот номер, если будете обращаться к инспекторам по этому сообщению.

## Главная страница и ответы.
public-home-prompt = Введите или отсканируйте код с товара
public-home-check = Проверить
public-home-report = Сообщить о товаре без кода маркировки
public-error-title = Не выполнено
public-back = Вернуться к товару
public-check-another = Проверить другой код

## Названия ссылок, которые клиент резолвера GS1 получает для кода (его набор ссылок).
public-link-default = Проверка маркировки кода
public-link-pip = Информация о товаре: { $name }
public-link-verification = Проверка кода
public-link-verification-json = Проверка кода (JSON)
public-link-recall-status = Статус отзыва товара
public-link-recall-status-json = Статус отзыва товара (JSON)
