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
