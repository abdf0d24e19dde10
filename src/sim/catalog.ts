// Static reference data: countries and their networks, clouds, names, e-mail domains, card
// BINs, browsers and client runtimes, models. Addresses are assigned per run in world.ts.

export interface ModelSpec {
  name: string;
  /** Largest max_tokens the model accepts: harvesters ask for exactly this. */
  ceiling: number;
  /** Released during the window (its time is set by params.window). */
  isNew?: boolean;
}

export const MODELS: readonly ModelSpec[] = [
  { name: 'atlas-2-mini', ceiling: 8192 },
  { name: 'atlas-2', ceiling: 32000 },
  { name: 'atlas-2-pro', ceiling: 64000 },
  { name: 'atlas-3', ceiling: 64000, isNew: true },
];
export const NEW_MODEL = 'atlas-3';
export const CEILING: Record<string, number> = Object.fromEntries(MODELS.map((m) => [m.name, m.ceiling]));

export type AsnKind = 'residential' | 'mobile' | 'cloud' | 'hosting' | 'campus' | 'corporate';

export interface AsnSpec {
  asn: number;
  org: string;
  kind: AsnKind;
  country: string;
  /** Relative share of the country's subscribers. */
  weight: number;
}

export interface CountrySpec {
  code: string;
  /** Share of the organic population. */
  weight: number;
  /** UTC offsets in April (DST applied) with weights. */
  tz: readonly (readonly [number, number])[];
  lang: 'en' | 'es' | 'de' | 'fr' | 'pt' | 'ja' | 'zh' | 'ko' | 'other';
  isps: readonly (readonly [number, string, number])[];
  mobile: readonly (readonly [number, string, number])[];
}

export const COUNTRIES: readonly CountrySpec[] = [
  {
    code: 'US', weight: 30, lang: 'en', tz: [[-4, 45], [-5, 30], [-6, 5], [-7, 20]],
    isps: [[7922, 'Comcast Cable Communications, LLC', 25], [7018, 'AT&T Services, Inc.', 18], [701, 'Verizon Business', 12],
      [20115, 'Charter Communications', 15], [22773, 'Cox Communications Inc.', 6], [209, 'CenturyLink Communications, LLC', 6],
      [11427, 'Charter Communications Inc', 6], [5650, 'Frontier Communications of America, Inc.', 5], [30036, 'Mediacom Communications Corp', 2]],
    mobile: [[21928, 'T-Mobile USA, Inc.', 45], [6167, 'Cellco Partnership DBA Verizon Wireless', 30], [20057, 'AT&T Mobility LLC', 25]],
  },
  {
    code: 'IN', weight: 8, lang: 'en', tz: [[5.5, 1]],
    isps: [[24560, 'Bharti Airtel Ltd., Telemedia Services', 35], [9829, 'National Internet Backbone', 15], [17488, 'Hathway IP Over Cable Internet', 15], [24309, 'Atria Convergence Technologies Pvt. Ltd.', 20]],
    mobile: [[55836, 'Reliance Jio Infocomm Limited', 60], [45609, 'Bharti Airtel Ltd. AS for GPRS Service', 40]],
  },
  {
    code: 'GB', weight: 6, lang: 'en', tz: [[1, 1]],
    isps: [[2856, 'British Telecommunications PLC', 35], [5089, 'Virgin Media Limited', 25], [13285, 'TalkTalk Communications Limited', 15], [5607, 'Sky UK Limited', 25]],
    mobile: [[25135, 'Vodafone Limited', 50], [12576, 'EE Limited', 50]],
  },
  {
    code: 'DE', weight: 5, lang: 'de', tz: [[2, 1]],
    isps: [[3320, 'Deutsche Telekom AG', 45], [3209, 'Vodafone GmbH', 30], [8881, '1&1 Versatel Deutschland GmbH', 25]],
    mobile: [[6805, 'Telefonica Germany GmbH & Co.OHG', 60], [3209, 'Vodafone GmbH', 40]],
  },
  {
    code: 'FR', weight: 4, lang: 'fr', tz: [[2, 1]],
    isps: [[3215, 'Orange S.A.', 40], [12322, 'Free SAS', 30], [15557, 'Societe Francaise Du Radiotelephone - SFR SA', 30]],
    mobile: [[5410, 'Bouygues Telecom SA', 50], [51207, 'Free Mobile SAS', 50]],
  },
  {
    code: 'BR', weight: 4, lang: 'pt', tz: [[-3, 1]],
    isps: [[28573, 'Claro NXT Telecomunicacoes Ltda', 40], [18881, 'TELEFONICA BRASIL S.A', 35], [8167, 'V tal', 25]],
    mobile: [[26599, 'TIM S/A', 50], [26615, 'TIM S/A (Intelig)', 50]],
  },
  {
    code: 'CA', weight: 4, lang: 'en', tz: [[-4, 60], [-7, 40]],
    isps: [[812, 'Rogers Communications Canada Inc.', 35], [577, 'Bell Canada', 35], [852, 'TELUS Communications Inc.', 30]],
    mobile: [[812, 'Rogers Communications Canada Inc.', 50], [852, 'TELUS Communications Inc.', 50]],
  },
  {
    code: 'JP', weight: 3, lang: 'ja', tz: [[9, 1]],
    isps: [[4713, 'NTT Communications Corporation', 45], [2516, 'KDDI CORPORATION', 30], [17676, 'SoftBank Corp.', 25]],
    mobile: [[9605, 'NTT DOCOMO, INC.', 60], [2516, 'KDDI CORPORATION', 40]],
  },
  {
    code: 'KR', weight: 3, lang: 'ko', tz: [[9, 1]],
    isps: [[4766, 'Korea Telecom', 45], [9318, 'SK Broadband Co Ltd', 35], [3786, 'LG DACOM Corporation', 20]],
    mobile: [[9644, 'SK Telecom', 60], [17858, 'LG POWERCOMM', 40]],
  },
  {
    code: 'AU', weight: 2, lang: 'en', tz: [[10, 70], [8, 30]],
    isps: [[1221, 'Telstra Limited', 45], [4804, 'Microplex PTY LTD', 25], [7545, 'TPG Telecom Limited', 30]],
    mobile: [[1221, 'Telstra Limited', 100]],
  },
  {
    code: 'NL', weight: 2, lang: 'other', tz: [[2, 1]],
    isps: [[1136, 'KPN B.V.', 50], [33915, 'Vodafone Libertel B.V.', 50]],
    mobile: [[1136, 'KPN B.V.', 100]],
  },
  {
    code: 'ES', weight: 2, lang: 'es', tz: [[2, 1]],
    isps: [[3352, 'TELEFONICA DE ESPANA S.A.U.', 60], [12479, 'Orange Espagne SA', 40]],
    mobile: [[12430, 'VODAFONE ESPANA S.A.U.', 100]],
  },
  {
    code: 'IT', weight: 2, lang: 'other', tz: [[2, 1]],
    isps: [[3269, 'Telecom Italia S.p.A.', 60], [30722, 'Vodafone Italia S.p.A.', 40]],
    mobile: [[30722, 'Vodafone Italia S.p.A.', 100]],
  },
  {
    code: 'PL', weight: 1.5, lang: 'other', tz: [[2, 1]],
    isps: [[5617, 'Orange Polska Spolka Akcyjna', 60], [6830, 'Liberty Global B.V.', 40]],
    mobile: [[12912, 'T-Mobile Polska S.A.', 100]],
  },
  {
    code: 'SG', weight: 1.5, lang: 'en', tz: [[8, 1]],
    isps: [[9506, 'Singtel Fibre Broadband', 50], [55430, 'Starhub Ltd', 50]],
    mobile: [[4773, 'MobileOne Ltd. Mobile/Internet Service Provider Singapore', 100]],
  },
  {
    code: 'MX', weight: 1.5, lang: 'es', tz: [[-6, 1]],
    isps: [[8151, 'UNINET', 70], [28548, 'Cablevision, S.A. de C.V.', 30]],
    mobile: [[28403, 'RadioMovil Dipsa, S.A. de C.V.', 100]],
  },
  {
    code: 'ID', weight: 1.5, lang: 'other', tz: [[7, 1]],
    isps: [[7713, 'PT Telekomunikasi Indonesia', 70], [23693, 'PT. Telekomunikasi Selular', 30]],
    mobile: [[23693, 'PT. Telekomunikasi Selular', 100]],
  },
  {
    code: 'VN', weight: 1, lang: 'other', tz: [[7, 1]],
    isps: [[7552, 'Viettel Group', 60], [45899, 'VNPT Corp', 40]],
    mobile: [[7552, 'Viettel Group', 100]],
  },
  {
    code: 'TR', weight: 1, lang: 'other', tz: [[3, 1]],
    isps: [[9121, 'Turk Telekomunikasyon Anonim Sirketi', 70], [47331, 'TTNet A.S.', 30]],
    mobile: [[16135, 'Turkcell Iletisim Hizmetleri A.S.', 100]],
  },
  {
    code: 'PH', weight: 1, lang: 'en', tz: [[8, 1]],
    isps: [[9299, 'Philippine Long Distance Telephone Company', 60], [132199, 'Globe Telecom Inc.', 40]],
    mobile: [[132199, 'Globe Telecom Inc.', 100]],
  },
  {
    code: 'TW', weight: 1, lang: 'zh', tz: [[8, 1]],
    isps: [[3462, 'Data Communication Business Group', 100]],
    mobile: [[24158, 'Taiwan Mobile Co., Ltd.', 100]],
  },
  {
    code: 'HK', weight: 1, lang: 'zh', tz: [[8, 1]],
    isps: [[4760, 'HKT Limited', 50], [9269, 'Hong Kong Broadband Network Ltd.', 50]],
    mobile: [[10118, 'SmarTone Mobile Communications Ltd', 100]],
  },
  {
    code: 'SE', weight: 1, lang: 'other', tz: [[2, 1]],
    isps: [[3301, 'Telia Company AB', 60], [39651, 'Com Hem AB', 40]],
    mobile: [[3301, 'Telia Company AB', 100]],
  },
  {
    code: 'CH', weight: 1, lang: 'de', tz: [[2, 1]],
    isps: [[3303, 'Swisscom (Schweiz) AG', 70], [6730, 'Sunrise GmbH', 30]],
    mobile: [[3303, 'Swisscom (Schweiz) AG', 100]],
  },
  {
    code: 'NG', weight: 1, lang: 'en', tz: [[1, 1]],
    isps: [[37148, 'Globacom Limited', 100]],
    mobile: [[29465, 'MTN NIGERIA Communication limited', 100]],
  },
  {
    code: 'AR', weight: 1, lang: 'es', tz: [[-3, 1]],
    isps: [[7303, 'Telecom Argentina S.A.', 100]],
    mobile: [[22927, 'Telefonica de Argentina', 100]],
  },
  {
    code: 'IL', weight: 1, lang: 'other', tz: [[3, 1]],
    isps: [[8551, 'Bezeq International Ltd.', 100]],
    mobile: [[1680, 'Cellcom Fixed Line Communication L.P', 100]],
  },
  {
    code: 'UA', weight: 0.8, lang: 'other', tz: [[3, 1]],
    isps: [[15895, 'Kyivstar PJSC', 100]],
    mobile: [[15895, 'Kyivstar PJSC', 100]],
  },
];

export const CLOUDS: readonly (readonly [number, string, string])[] = [
  [16509, 'Amazon.com, Inc.', 'US'],
  [14618, 'Amazon.com, Inc.', 'US'],
  [396982, 'Google LLC', 'US'],
  [15169, 'Google LLC', 'US'],
  [8075, 'Microsoft Corporation', 'US'],
  [31898, 'Oracle Corporation', 'US'],
  [13335, 'Cloudflare, Inc.', 'US'],
];

export const HOSTING: readonly (readonly [number, string, string])[] = [
  [24940, 'Hetzner Online GmbH', 'DE'],
  [16276, 'OVH SAS', 'FR'],
  [14061, 'DigitalOcean, LLC', 'US'],
  [63949, 'Akamai Connected Cloud', 'US'],
  [20473, 'The Constant Company, LLC', 'US'],
  [9009, 'M247 Europe SRL', 'RO'],
  [51167, 'Contabo GmbH', 'DE'],
  [212238, 'Datacamp Limited', 'GB'],
];

export const FIRST_NAMES = [
  'james', 'mary', 'john', 'patricia', 'robert', 'jennifer', 'michael', 'linda', 'david', 'elizabeth', 'william', 'barbara',
  'richard', 'susan', 'joseph', 'jessica', 'thomas', 'sarah', 'chris', 'karen', 'daniel', 'lisa', 'matthew', 'nancy', 'anthony',
  'sandra', 'mark', 'ashley', 'steven', 'emily', 'paul', 'michelle', 'andrew', 'amanda', 'joshua', 'melissa', 'kevin', 'rebecca',
  'brian', 'laura', 'george', 'emma', 'tim', 'olivia', 'jason', 'sophia', 'ryan', 'chloe', 'jacob', 'grace', 'nick', 'hannah',
  'priya', 'rahul', 'amit', 'ananya', 'arjun', 'deepa', 'vikram', 'neha', 'wei', 'li', 'jun', 'mei', 'hao', 'yan', 'hiroshi',
  'yuki', 'kenji', 'sakura', 'minjun', 'jiwoo', 'seoyeon', 'lukas', 'lena', 'felix', 'anna', 'jonas', 'marie', 'pierre', 'camille',
  'lucas', 'julie', 'antoine', 'manon', 'mateo', 'sofia', 'diego', 'valentina', 'carlos', 'lucia', 'joao', 'ana', 'pedro', 'beatriz',
  'ahmed', 'fatima', 'omar', 'layla', 'yusuf', 'aisha', 'ivan', 'olga', 'dmitri', 'katya', 'piotr', 'zofia', 'erik', 'ingrid',
  'lars', 'freya', 'noah', 'mia', 'liam', 'ava', 'ethan', 'isabella', 'oliver', 'charlotte', 'aiden', 'harper', 'tomas', 'elena',
];

export const LAST_NAMES = [
  'smith', 'johnson', 'williams', 'brown', 'jones', 'garcia', 'miller', 'davis', 'rodriguez', 'martinez', 'hernandez', 'lopez',
  'gonzalez', 'wilson', 'anderson', 'thomas', 'taylor', 'moore', 'jackson', 'martin', 'lee', 'perez', 'thompson', 'white',
  'harris', 'sanchez', 'clark', 'ramirez', 'lewis', 'robinson', 'walker', 'young', 'allen', 'king', 'wright', 'scott', 'torres',
  'nguyen', 'hill', 'flores', 'green', 'adams', 'nelson', 'baker', 'hall', 'rivera', 'campbell', 'mitchell', 'carter', 'roberts',
  'sharma', 'patel', 'singh', 'kumar', 'gupta', 'reddy', 'iyer', 'wang', 'zhang', 'chen', 'liu', 'yang', 'huang', 'zhao', 'wu',
  'tanaka', 'suzuki', 'sato', 'watanabe', 'kim', 'park', 'choi', 'jung', 'muller', 'schmidt', 'schneider', 'fischer', 'weber',
  'meyer', 'wagner', 'dubois', 'bernard', 'moreau', 'laurent', 'silva', 'santos', 'oliveira', 'souza', 'costa', 'fernandez',
  'romero', 'novak', 'kowalski', 'nowak', 'ivanov', 'petrov', 'andersson', 'johansson', 'larsen', 'hansen', 'okafor', 'mensah',
  'cohen', 'levi', 'rossi', 'russo', 'ferrari', 'bianchi', 'demir', 'yilmaz', 'santiago', 'reyes', 'cruz', 'morales', 'ortiz',
];

export const NICKNAMES = [
  'darkwolf', 'pixelpanda', 'coffeeaddict', 'nightowl', 'skywalker', 'bluefox', 'codemonkey', 'sunnyday', 'techguy', 'bookworm',
  'gamerx', 'ninja', 'dragon', 'shadow', 'tiger', 'phoenix', 'rocket', 'cosmic', 'lucky', 'happycat', 'mrrobot', 'thecoder',
  'dev', 'hacker', 'builder', 'maker', 'geek', 'wizard', 'penguin', 'koala', 'mango', 'pepper', 'ghost', 'storm', 'ace', 'zen',
];

/** Webmail domains with their share of personal addresses. */
export const WEBMAIL: readonly (readonly [string, number])[] = [
  ['gmail.com', 50], ['outlook.com', 9], ['hotmail.com', 7], ['yahoo.com', 6], ['icloud.com', 7], ['proton.me', 3],
  ['protonmail.com', 1.5], ['gmx.de', 1.5], ['web.de', 1], ['qq.com', 2], ['163.com', 1], ['naver.com', 1.5], ['yandex.ru', 1],
  ['mail.com', 0.5], ['aol.com', 1], ['live.com', 1.5], ['me.com', 1], ['fastmail.com', 0.5], ['hey.com', 0.3], ['tutanota.com', 0.3],
];

export const COMPANY_WORDS = [
  'north', 'blue', 'bright', 'quant', 'data', 'cloud', 'river', 'stone', 'pixel', 'vector', 'apex', 'nova', 'lumen', 'cedar',
  'harbor', 'summit', 'signal', 'orbit', 'delta', 'maple', 'iron', 'silver', 'green', 'swift', 'clear', 'true', 'atlas', 'echo',
  'forge', 'pine', 'peak', 'wave', 'core', 'logic', 'spark', 'bridge', 'field', 'ledger', 'tide', 'prism',
];
export const COMPANY_SUFFIX = ['labs', 'tech', 'ai', 'soft', 'works', 'data', 'systems', 'hq', 'io', 'group', 'analytics', 'health'];
export const TLDS = ['com', 'com', 'com', 'io', 'ai', 'co', 'de', 'co.uk', 'dev', 'net', 'app'];

/** Common consumer card BINs (issuer prefixes) with weights. */
export const COMMON_BINS: readonly (readonly [string, number])[] = [
  ['414720', 9], ['426684', 7], ['440066', 6], ['546616', 6], ['517805', 5], ['411111', 1], ['453201', 4], ['400022', 4],
  ['552433', 4], ['521729', 4], ['479126', 3], ['434769', 3], ['483316', 3], ['542418', 3], ['491682', 2], ['476173', 2],
  ['537410', 2], ['456735', 2], ['425907', 2], ['516732', 2], ['374245', 3], ['379764', 2], ['601100', 1.5], ['356600', 1.5],
  ['489504', 1.5], ['531106', 1.5], ['465902', 1], ['404158', 1], ['528093', 1], ['410039', 1], ['444796', 1], ['549035', 1],
];
/** Corporate card BINs (enterprise and company accounts). */
export const BUSINESS_BINS: readonly (readonly [string, number])[] = [
  ['556766', 4], ['485953', 3], ['379768', 3], ['545420', 2], ['471532', 2], ['524364', 2], ['418238', 1], ['559591', 1],
];
/** Prepaid / virtual card BINs: rare in ordinary traffic, favoured by farms. */
export const PREPAID_BINS: readonly string[] = [
  '533248', '485340', '441103', '537698', '404038', '513711', '428837', '522981', '410065', '531993', '446291', '519345',
  '472911', '537100', '403446', '527561', '435880', '559666', '416821', '532610', '487917', '515254', '498503', '530124',
];

export interface BrowserSpec {
  ua: string;
  /** TLS stack label: clients on the same stack share a JA3. */
  tls: string;
  weight: number;
}

export const BROWSERS: readonly BrowserSpec[] = [
  { ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/134.0.0.0 Safari/537.36', tls: 'chrome134', weight: 18 },
  { ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/135.0.0.0 Safari/537.36', tls: 'chrome135', weight: 16 },
  { ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/135.0.0.0 Safari/537.36', tls: 'chrome135', weight: 14 },
  { ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/134.0.0.0 Safari/537.36', tls: 'chrome134', weight: 8 },
  { ua: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/135.0.0.0 Safari/537.36', tls: 'chrome135', weight: 4 },
  { ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.3 Safari/605.1.15', tls: 'safari18', weight: 10 },
  { ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:136.0) Gecko/20100101 Firefox/136.0', tls: 'firefox136', weight: 5 },
  { ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:137.0) Gecko/20100101 Firefox/137.0', tls: 'firefox137', weight: 3 },
  { ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/135.0.0.0 Safari/537.36 Edg/135.0.0.0', tls: 'chrome135', weight: 8 },
  { ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.3 Mobile/15E148 Safari/604.1', tls: 'safari18ios', weight: 6 },
  { ua: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/135.0.0.0 Mobile Safari/537.36', tls: 'chrome135android', weight: 4 },
  { ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36', tls: 'chrome133', weight: 4 },
];

/** API client families: SDKs and raw HTTP clients, with the runtimes (TLS stacks) they run on. */
export interface ClientFamily {
  id: string;
  sdk?: string;
  format: 'anthropic' | 'openai' | 'either';
  versions: readonly string[];
  ua: (v: string) => string;
  tls: readonly string[];
}

export const CLIENT_FAMILIES: readonly ClientFamily[] = [
  { id: 'anthropic-python', sdk: 'anthropic-python', format: 'anthropic', versions: ['0.45.2', '0.47.1', '0.49.0', '0.50.0', '0.51.0'], ua: (v) => `Anthropic/Python ${v}`, tls: ['py311-ossl30', 'py312-ossl30', 'py310-ossl11', 'py312-ossl33', 'py39-libressl'] },
  { id: 'anthropic-typescript', sdk: 'anthropic-typescript', format: 'anthropic', versions: ['0.37.0', '0.39.0', '0.40.1'], ua: (v) => `Anthropic/JS ${v}`, tls: ['node20', 'node22', 'node18', 'bun1'] },
  { id: 'openai-python', sdk: 'openai-python', format: 'openai', versions: ['1.61.0', '1.66.3', '1.68.2', '1.70.0'], ua: (v) => `OpenAI/Python ${v}`, tls: ['py311-ossl30', 'py312-ossl30', 'py310-ossl11', 'py312-ossl33'] },
  { id: 'openai-node', sdk: 'openai-node', format: 'openai', versions: ['4.85.1', '4.87.3', '4.91.0'], ua: (v) => `OpenAI/JS ${v}`, tls: ['node20', 'node22', 'node18'] },
  { id: 'httpx', format: 'either', versions: ['0.27.2', '0.28.1'], ua: (v) => `python-httpx/${v}`, tls: ['py311-ossl30', 'py312-ossl30'] },
  { id: 'requests', format: 'either', versions: ['2.31.0', '2.32.3'], ua: (v) => `python-requests/${v}`, tls: ['py311-ossl30', 'py310-ossl11', 'py312-ossl30'] },
  { id: 'curl', format: 'either', versions: ['7.81.0', '8.5.0', '8.7.1'], ua: (v) => `curl/${v}`, tls: ['curl-ossl30', 'curl-macos'] },
  { id: 'go', format: 'either', versions: ['2.0'], ua: () => 'Go-http-client/2.0', tls: ['go122', 'go123'] },
  { id: 'okhttp', format: 'openai', versions: ['4.12.0'], ua: (v) => `okhttp/${v}`, tls: ['java17'] },
];

/** Coding agents (CLI tools and editor extensions) and their user agents. */
export const CODING_AGENTS: readonly (readonly [string, 'anthropic' | 'openai', string])[] = [
  ['codepilot-cli/2.3.1 (external, cli)', 'anthropic', 'node22'],
  ['codepilot-cli/2.4.0 (external, cli)', 'anthropic', 'node22'],
  ['Cline/3.14.0', 'anthropic', 'node20'],
  ['aider/0.82.1', 'openai', 'py312-ossl30'],
  ['RooCode/3.16.1', 'anthropic', 'node20'],
  ['opencode/0.3.9', 'openai', 'bun1'],
];

export const LANGUAGES = ['Python', 'JavaScript', 'TypeScript', 'Go', 'Rust', 'Java', 'C++', 'C#', 'Ruby', 'Kotlin', 'Swift', 'PHP', 'SQL', 'Bash'];
