# Веб-консоль мәтіндері қазақ тілінде. Әр хабар ru.ftl мен en.ftl-де де бар (модульдік тест
# үшеуін салыстырады). Сан екі рет келеді: $count көптік түрін таңдайды, $shown — сол сан,
# тілдің ережесімен жазылған.

app-name = Таңба
app-tagline = Тауарлардың ұлттық таңбалануы
skip-to-content = Мазмұнға өту
language-label = Тіл
signed-in-as = Сіз { $name } ретінде кірдіңіз
sign-out = Шығу
sign-out-everywhere = Барлық құрылғылардан шығу

nav-home = Басты бет
nav-inbox = Хабарламалар
nav-orders = Код тапсырыстары
nav-shipments = Жөнелтулер
nav-till = Касса
nav-cases = Істер
nav-recalls = Кері қайтарып алу
nav-audit = Аудит
nav-participants = Қатысушылар
nav-health = Сервер

role-producer = өндіруші
role-importer = импорттаушы
role-wholesaler = көтерме саудагер
role-retailer = дүкен
role-fiscal-data-operator = фискалдық деректер операторы
role-authority = уәкілетті орган
role-ministry = министрлік
role-operator = оператор

sign-in-title = Кіру
sign-in-lead = Қатысушының кілт файлын таңдаңыз. Ол тек осы браузерде оқылады: құпия кілт сервердің сұрауына осында қол қояды және ешқайда жіберілмейді.
sign-in-key-file = Кілт файлы
sign-in-button = Кіру
sign-in-needs-script = Кіру үшін JavaScript қажет: кілт сұрауға осы браузерде WebCrypto арқылы қол қояды.
sign-in-no-ed25519 = Бұл браузер Ed25519 кілттерімен қол қоя алмайды. Chromium, Firefox немесе Safari-дің жаңа нұсқасын пайдаланыңыз.
sign-in-bad-file = Бұл Таңба кілт файлы емес.
sign-in-working = Кіру орындалуда…
signed-out = Сіз жүйеден шықтыңыз.
session-ended = Сеанс аяқталды. Қайта кіріңіз.
participant-suspended = Қатысуыңыз тоқтатыла тұрды: сеанс аяқталды.

home-title = Басты бет
home-roles = Рөлдеріңіз: { $roles }
home-unread = { $count ->
    [0] Оқылмаған хабарлама жоқ
   *[other] { $shown } оқылмаған хабарлама
}
home-what = Мұнда не істеуге болады

inbox-title = Хабарламалар
inbox-empty = Әзірге хабарлама жоқ.
inbox-count = { $count ->
   *[other] { $shown } хабарлама
}
notice-received = Алынды
notice-read = Оқылды
notice-unread = Оқылмаған
notice-case = Іс
notice-mark-read = Оқылды деп белгілеу
notice-more = Тағы хабарламалар

error-title = Бірдеңе дұрыс болмады
error-back = Басты бетке

date-long = { $year } жылғы { $day } { $month }
month-1 = қаңтар
month-2 = ақпан
month-3 = наурыз
month-4 = сәуір
month-5 = мамыр
month-6 = маусым
month-7 = шілде
month-8 = тамыз
month-9 = қыркүйек
month-10 = қазан
month-11 = қараша
month-12 = желтоқсан

codes-count = { $count ->
   *[other] { $shown } код
}
days-count = { $count ->
   *[other] { $shown } күн
}
working-days-count = { $count ->
   *[other] { $shown } жұмыс күні
}

list-more = Тағы

orders-title = Код тапсырыстары
orders-empty = Әзірге тапсырыс жоқ.
order-title = Тапсырыс
order-product = Тауар
order-progress-title = Шығарылды
order-progress = { $quantity } ішінен { $issued }
order-placed = Берілген уақыты
order-new = Код тапсырыс беру
order-gtin = Тауардың GTIN-і
order-quantity = Код саны
order-submit = Тапсырыс беру
order-issuing = Кодтар шығарылуда; бет өзі жаңарады.
order-download = Кодтарды жүктеп алу (мәтін)
labels-title = Заттаңбалар
labels-layout = Заттаңба өлшемі
labels-from = Код нөмірінен бастап (0-ден санағанда)
labels-count = Заттаңба саны
labels-pdf = Заттаңбалар PDF түрінде
labels-preview = Бірінші заттаңба
layout-a4-70x37 = A4 парағы, 70 × 37 мм заттаңбалар (парақта 24)
layout-a4-52x30 = A4 парағы, 52,5 × 29,7 мм заттаңбалар (парақта 40)
layout-roll-58x40 = Термолента, 58 × 40 мм
layout-roll-43x25 = Термолента, 43 × 25 мм

shipments-title = Жөнелтулер
shipments-empty = Әзірге жөнелту жоқ.
shipment-new = Жаңа жөнелту
shipment-direction = Кімнен / кімге
shipment-from = Кімнен
shipment-to = Кімге
shipment-items = Позициялар
shipment-state = Күйі
shipment-created = Жіберілді
items-count = { $count ->
   *[other] { $shown } позиция
}
document-pending = сатып алушыны күтуде
document-accepted = қабылданды
document-rejected = қабылданбады
document-cancelled = кері қайтарылды
shipment-title = Жөнелту
shipment-seller = Сатушы
shipment-buyer = Сатып алушы
shipment-take = Қабылдау
shipment-code = Код немесе қаптама
shipment-accept = Белгіленгенді қабылдау
shipment-reject = Бүкіл жөнелтуді қабылдамау
shipment-accepted-items = Қабылданды
shipment-returned-items = Сатушыға қайтарылды
shipment-cancel = Жөнелтуді кері қайтару
shipment-buyer-id = Сатып алушының ЖСН/БСН-і
shipment-codes = Кодтар мен қаптамалар, жолына біреуден (осында сканерлеңіз)
shipment-codes-max = { $count ->
   *[other] Ең көбі { $shown } код немесе қаптама.
}
shipment-send = Қол қойып жіберу
sign-key-file = Қол қоюға арналған кілт файлыңыз
sign-explained = Құжатқа осы браузерде кілтіңізбен қол қойылады; кілт жіберілмейді.
sign-needs-script = Қол қою үшін JavaScript қажет: кілт құжатқа осы браузерде WebCrypto арқылы қол қояды.
sign-bad-key = Бұл жүйеге кірген қатысушының кілт файлы емес.
sign-working = Қол қойылуда…

till-title = Касса
till-scan = Кодтарды осында сканерлеңіз, жолына біреуден
till-check = Тексеру
till-verdict = Сатуға бола ма?
till-sellable = Иә
till-not-sellable = Жоқ
till-price = Бағасы, теңге
till-sell = Бір чекпен сату
till-recorded = Жазылды (журнал жазбасы { $sequence }).
till-duplicate = Бұл чек бұрын жазылған (журнал жазбасы { $sequence }): ештеңе өзгерген жоқ.
till-receipt-id = Чек
till-refused-lines = Сатылмаған жолдар
till-return-title = Қайтару
till-sale-receipt = Сату чегі
till-return-codes = Қайтарылатын кодтар, жолына біреуден
till-return = Қайтаруды қабылдау

codes-title = Кодтар
codes-which = Кез келген түрдегі код немесе қаптама (осында сканерлеңіз)
codes-show = Карточкасын көрсету
card-status = Мәртебесі
card-owner = Иесі
card-produced = Өндірілген күні
card-expires = Жарамдылық мерзімі
card-batch = Партия
card-inside = Ішінде
card-contents = бірлік: { $units }, топтық қаптама: { $groups }, көлік қаптамасы: { $pallets }
card-in-package = Қаптамада
card-blocked = Бұғатталған
status-emitted = шығарылған, әлі жапсырылмаған
status-applied = жапсырылған, әлі айналымда емес
status-introduced = айналымда
status-withdrawn = айналымнан шығарылған: { $reason }
withdrawal-retail-sale = тұтынушыға сатылған
withdrawal-export-to-eaeu = ЕАЭО мемлекетіне сатылған
withdrawal-export-outside-eaeu = ЕАЭО-дан тыс жерге экспортталған
withdrawal-write-off = есептен шығарылған
withdrawal-destruction = жойылған
withdrawal-recall-disposal = кері қайтарып алу кезінде кәдеге жаратылған
withdrawal-confiscation = тәркіленген
block-title = Бұғаттау немесе бұғатты алу
block-codes = Кодтар мен қаптамалар, жолына біреуден
block-reason = Себебі (кассаларға және сатып алушыларға көрінеді)
block-button = Бұғаттау
unblock-button = Менің бұғатымды алу
block-done = Бұғатталды (журнал жазбасы { $sequence }): енді барлық кассалар бұл кодтарды сатудан бас тартады.
block-lifted = Сіздің бұғатыңыз алынды (журнал жазбасы { $sequence }).

nav-codes = Кодтар
nav-reports = Хабарлар
audit-title = Аудит журналы
audit-participant = Қатысушы (ЖСН/БСН)
audit-code = Код
audit-from = Бастап
audit-until = Дейін
audit-search = Іздеу
audit-none = Жазба жоқ.
audit-time = Уақыты
audit-method = Шақыру
audit-arguments = Аталғаны
audit-outcome = Нәтижесі
reports-title = Азаматтардың бұзушылықтар туралы хабарлары
reports-map = Қай жерде хабарланды
reports-none = Хабар жоқ.
reports-kind = Түрі
reports-comment = Түсініктеме
reports-place = Орны
reports-flagged = код ықтимал көшірме ретінде белгіленген
violation-counterfeit = жалған
violation-sold-after-expiry = жарамдылық мерзімі өткеннен кейін сату
violation-no-code = код жоқ
violation-price = баға
violation-other = басқа
city-astana = Астана
city-almaty = Алматы
city-shymkent = Шымкент
city-aktobe = Ақтөбе
city-atyrau = Атырау
city-aktau = Ақтау
city-oskemen = Өскемен
city-pavlodar = Павлодар
city-karaganda = Қарағанды
city-kostanay = Қостанай

## Cases
cases-title = Істер
cases-as-party = Менің өтініштерім мен істерім
cases-as-authority = Менің органымның істері
cases-empty = Әзірге істер жоқ.
cases-open = Рәсімді бастау
case-kind = Рәсім
case-state = Жай-күйі
case-party = Өтініш беруші немесе міндетті тұлға
case-authority = Уәкілетті орган
case-parent = Тиесілі іс
case-named = Аталған қатысушы
case-opened = Ашылды
case-updated = Соңғы өзгеріс
case-number = Құжат нөмірі
case-closed = жабық
case-clocks = Мерзімдер
case-steps = Қазір не істеуге болады
clause-abbreviation = т.
case-step-clause = Құқықтық негіз
case-data = Іс деректері
case-files = Файлдар
case-history = Тарих
case-history-step = { $step } — { $by }
case-history-more = және тағы { $shown } қадам
case-more-rows = Көбірек жол
clock-name = Мерзім
clock-term = Ұзақтығы
clock-status = Жай-күйі
clock-due = { $day } аяқталады
clock-due-today = бүгін аяқталады
clock-overdue = { $day } бастап мерзімі өтті
clock-paused = { $day } бастап тоқтатыла тұрды
clock-stopped = { $day } аяқталды
clock-term-working = { $shown } жұмыс күні
clock-term-calendar = { $shown } күнтізбелік күн
clock-extended = { $shown } күнге ұзартылды
file-bytes = { $shown } байт
field-hint-taxpayer = ЖСН немесе БСН: 12 цифр.
field-hint-taxpayers = Әр жолға бір ЖСН немесе БСН.
field-hint-list = Әр жолға бір мән.
field-hint-decimal = Нөлден үлкен сан; бөлшек бөлігін үтірмен немесе нүктемен бөлуге болады.
field-hint-code = Сканерленген немесе басылған код.
field-hint-gtin = GTIN: 8, 12, 13 немесе 14 цифр.
field-hint-hs-code = ЕАЭО СЭҚ ТН коды: 10 цифр.
field-hint-currency = Валюта: үш бас әріп (KZT).
field-hint-country = Ел: екі бас әріп (KZ).
field-hint-control-code = Бақылау тізімінің коды (ML1, 1C350.a).
field-hint-unit = ЕАЭО өлшем бірлігі: 3 цифр (796).
answer-yes = иә
answer-no = жоқ
holders-title = Тауар иелері және тауардың тағдыры
holders-holder = Иесі
holders-recalled = Кері қайтарып алу кезінде болғаны
holders-returned = Қайтарылды
holders-disposed = Кәдеге жаратылды
holders-still-held = Әлі иесінде
holders-elsewhere = Әрі қарай берілді
holders-sold-before = Кері қайтарып алуға дейін сатылды
holders-effective = Тиімділік
holders-total = Осы беттегі барлық иелер
holders-census-complete = Барлық иелер есепке алынды.
holders-census-running = Иелер әлі есептелуде; есеп аяқталғанша сандар өседі.
holders-explained = Тиімділік — кері қайтарып алу кезінде иесінде болған бірліктердің қайтарылған немесе кәдеге жаратылған үлесі. Әр бірлік бойынша тізілімнің қазіргі деректерімен есептеледі.

## Goods
nav-goods = Тауарлар
goods-title = Тауармен операциялар
goods-explained = Кодтар әр жолға біреуден, сканерленген немесе басылған түрінде. Әр операция API арқылы жасалғандай тексеріліп, жазылады.
goods-codes = Кодтар, әр жолға біреу
goods-applied-title = Кодтарды тауарға түсіру
goods-production-date = Өндірілген күні
goods-expiry-date = Жарамдылық мерзімі (болса)
goods-batch = Партия
goods-applied-button = Түсірілгені туралы хабарлау
goods-applied-done = Кодтар түсірілген ретінде жазылды.
goods-introduce-title = Айналымға енгізу
goods-introduce-how = Тауар қайдан келді
goods-introduce-own = Қазақстанда өндірілген
goods-introduce-import = ЕАЭО-дан тыс жерден әкелінген
goods-introduce-eaeu = ЕАЭО-ның басқа мемлекетінен алынған
goods-customs-declaration = Тауарларға арналған декларация нөмірі (импорт үшін)
goods-from-country = Жөнелтуші мемлекет, екі әріп (ЕАЭО үшін)
goods-document-number = Жөнелтуші құжатының нөмірі (ЕАЭО үшін)
goods-seller-taxpayer = Сатушының өз мемлекетіндегі салық төлеуші нөмірі (ЕАЭО үшін)
goods-document-date = Жөнелтуші құжатының күні (ЕАЭО үшін)
goods-introduce-button = Айналымға енгізу
goods-introduced-done = Тауар айналымға енгізілді.
goods-aggregate-title = Агрегаттау
goods-parent = Қаптама коды
goods-children = Оған салынған кодтар, әр жолға біреу
goods-aggregate-button = Қаптау
goods-disaggregate-button = Осы кодтарды қаптамалардан шығару
goods-aggregated-done = Қаптама жасалды.
goods-disaggregated-done = Кодтар қаптамалардан шығарылды.
goods-file-title = Файлдан агрегаттау
goods-file = Қаптамалар файлы
goods-file-explained = Әр жол: қаптама коды және оған салынған бір код, үтір, нүктелі үтір немесе табуляция арқылы. # белгісінен басталатын жолдар өткізіліп жіберіледі.
goods-file-max = Бір файлда ең көбі { $shown } қаптама.
goods-file-button = Жүктеу және қаптау
job-title = Агрегаттау тапсырмасы
job-progress = { $total } қаптаманың { $done } өңделді, { $refused } қабылданбады
job-running = Орындалуда; бет өзі жаңарады.
job-finished = Аяқталды.
job-refusal = Бас тарту себебі

## Operator
nav-reference = Анықтамалықтар
participants-title = Қатысушылар тізілімі
participants-from = Осы ЖСН/БСН-нан бастап көрсету
participants-show = Көрсету
participant-id = ЖСН/БСН
participant-name = Атауы
participant-roles = Рөлдері
participant-status = Мәртебесі
participant-status-active = әрекетте
participant-status-suspended = тоқтатыла тұрған
participant-key = Кілт
participant-register = Қатысушыны тіркеу
participant-public-key = Ашық кілт (Ed25519, 64 оналтылық цифр)
participant-public-key-explained = Қатысушы кілттер жұбын өзі жасайды (tanba keygen) және тек ашық кілтті береді; құпия кілт операторға түспейді.
participant-register-button = Тіркеу
participant-change = Қатысушыны өзгерту
participant-add-key = Кілт қосу (64 оналтылық цифр)
participant-change-button = Сақтау
participant-suspend = Тоқтата тұру
participant-suspend-explained = Қызметі тоқтатыла тұрған қатысушы ештеңе істей алмайды; оның сеанстары келесі сұрауында аяқталады.
participant-lift = Тоқтата тұруды алып тастау
reference-title = Анықтамалықтар
reference-none = жарияланбаған
reference-calendar = Қолданыстағы өндірістік күнтізбе
reference-category-title = Тауар санаты
reference-category-code = Коды (латын әріптері, цифрлар, _)
reference-name-kk = Қазақша атауы
reference-name-ru = Орысша атауы
reference-name-en = Ағылшынша атауы
reference-tail = Кодтардың криптоқұйрығы
reference-tail-full = қолтаңба (AI 91 және 92, желіден тыс тексеріледі)
reference-tail-short = { $shown } таңбалы қысқа тег (AI 93)
reference-return-days = Тұтынушы тауарды қайтара алатын күндер (0 — қайтарылмайды)
reference-control-code = Экспорттық бақылаудағы тауарларға арналған бақылау тізімінің коды
reference-category-button = Санатты анықтау
reference-category-done = Санат анықталды.
reference-calendar-title = Күнтізбе нұсқасын жариялау
reference-set-title = Анықтамалық нұсқасын жариялау
reference-toml = Құжат (TOML)
reference-publish = Жариялау
reference-calendar-done = Күнтізбе нұсқасы жарияланды.
reference-set-done = Анықтамалық нұсқасы жарияланды.
reference-explained = Нұсқа қолданыстағыдан бір бірлікке үлкен болуы тиіс. Бұрын ашылған істер ашылған кездегі нұсқаларын сақтайды; олардың мерзімдері тек алға қарай қайта есептеледі.
health-title = Сервер
health-serving = Қызмет көрсетуде
health-serving-yes = иә
health-serving-no = жоқ: қойма жазудан бас тартады
health-head = Журнал позициясы
health-head-hash = Осы позициядағы тізбек хеші
health-sessions = Консоль сеанстары
health-procedures = Рәсімдер
health-version = Нұсқа
health-explained = Мониторинг метрикалары /metrics мекенжайында; /healthz теңгерушілерге жауап береді.

## Products
nav-products = Тауар карточкалары
products-title = Менің тауар карточкаларым
products-empty = Әзірге тауар карточкалары жоқ.
product-name = Атауы
product-category = Санаты
product-country = Шыққан елі (екі әріп)
product-hs-code = ЕАЭО СЭҚ ТН коды (10 цифр)
product-producer-name = Қаптамада көрсетілген дайындаушы
product-level = Код нені таңбалайды
product-level-unit = тұтынушылық бірлікті
product-level-group = топтық қаптаманы
product-shelf-life = Жарамдылық мерзімі, күн (болса)
product-register = Тауар карточкасын тіркеу
product-register-button = Тіркеу
product-change = Карточканы өзгерту
product-change-button = Сақтау
product-new = Жаңа карточка

## Receipts
nav-receipts = Чектер
receipts-title = Чектер
receipts-empty = Әзірге чектер жоқ.
receipt-id = Чек
receipt-kind = Түрі
receipt-sale = сату
receipt-return = { $sale } чегі бойынша қайтару
receipt-recorded = Жазылды
receipt-codes = Кодтар
receipt-total = Сомасы, теңге
receipt-refused = Қабылданбаған жолдар
reports-photo = Фото
reports-photo-open = ашу
case-files-attach = Файлдарды тіркеу
case-files-attach-explained = Файлдар алдымен серверге жіберіледі; қолтаңба олардың хештерін қамтиды.
case-files-uploading = Файлдар жіберілуде…
