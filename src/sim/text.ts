// Built-in prompt generators: combinatorial templates so the simulator runs with no corpus.
// Organic chat (by kind of user and language), follow-ups, harvesting payloads by capability,
// benchmark items, homework, extraction documents, coding-agent tasks.
import { LANGUAGES } from './catalog.js';
import type { Rng } from './rng.js';

export type Topic = 'casual' | 'developer' | 'student' | 'writer' | 'professional' | 'researcher';
export type PayloadKind = 'math' | 'coding' | 'reasoning' | 'agentic' | 'planning';
export const PAYLOAD_KINDS: readonly PayloadKind[] = ['math', 'coding', 'reasoning', 'agentic', 'planning'];

export interface Item {
  text: string;
  answer?: string;
}

type Gen = (r: Rng) => string;

const p = <T>(r: Rng, xs: readonly T[]): T => r.pick(xs);

// ---------------------------------------------------------------- vocabularies

const DISHES = ['lasagna', 'pad thai', 'banana bread', 'chicken curry', 'vegan chili', 'shakshuka', 'risotto', 'pancakes', 'ramen', 'tacos', 'falafel', 'brownies', 'pho', 'paella', 'dal'];
const INGREDIENTS = ['eggs', 'dairy', 'an oven', 'gluten', 'sugar', 'butter', 'nuts', 'a blender', 'meat', 'garlic'];
const CITIES = ['Lisbon', 'Tokyo', 'Mexico City', 'Prague', 'Seoul', 'Barcelona', 'Chicago', 'Istanbul', 'Hanoi', 'Kyoto', 'Vancouver', 'Edinburgh', 'Buenos Aires', 'Cape Town', 'Bali'];
const CONCEPTS = ['inflation', 'black holes', 'how vaccines work', 'compound interest', 'the stock market', 'quantum computing', 'climate change', 'blockchain', 'photosynthesis', 'how airplanes fly', 'machine learning', 'the electoral college', 'credit scores', 'how the internet works'];
const RELATIONS = ['mom', 'dad', 'sister', 'brother', 'wife', 'husband', 'girlfriend', 'boyfriend', 'best friend', 'boss', 'coworker', 'grandma', 'son', 'daughter'];
const HOBBIES = ['hiking', 'cooking', 'board games', 'photography', 'gardening', 'running', 'coffee', 'anime', 'woodworking', 'yoga', 'fishing', 'vinyl records', 'video games', 'knitting'];
const PETS = ['dog', 'cat', 'puppy', 'kitten', 'parrot', 'rabbit', 'hamster'];
const BEHAVIORS = ['scratching the couch', 'barking at night', 'not eating much', 'sleeping all day', 'chewing shoes', 'meowing at 4am', 'hiding under the bed'];
const BOOKS = ['1984', 'The Hobbit', 'Pride and Prejudice', 'Dune', 'The Great Gatsby', 'Sapiens', 'Atomic Habits', 'The Martian', 'Project Hail Mary', 'Normal People', 'The Three-Body Problem', 'Educated'];
const PAIRS = [['a Roth IRA', 'a traditional IRA'], ['baking soda', 'baking powder'], ['weather', 'climate'], ['a virus', 'bacteria'], ['latte', 'cappuccino'], ['LED', 'OLED TVs'], ['stocks', 'bonds'], ['affect', 'effect'], ['a credit card', 'a debit card'], ['HIIT', 'steady cardio']];
const SKILLS = ['public speaking', 'chess', 'drawing', 'typing fast', 'negotiating salary', 'cooking', 'learning Spanish', 'saving money', 'sleeping better', 'focusing'];
const PRODUCTS = ['air fryer', 'standing desk', 'e-bike', 'robot vacuum', 'mechanical keyboard', 'VR headset', 'espresso machine', 'used Tesla', 'mirrorless camera'];
const ISSUES = ['a broken heater', 'a leaking sink', 'noise from upstairs', 'mold in the bathroom', 'a late deposit refund', 'the rent increase'];

const TASKS = ['read a CSV file and group rows by a column', 'parse JSON from an HTTP response', 'debounce a function', 'deep copy an object', 'sort a list of dicts by two keys', 'run tasks concurrently with a limit', 'write unit tests with mocks', 'read environment variables safely', 'retry a failing request with backoff', 'stream a large file line by line', 'connect to PostgreSQL', 'handle timezones correctly', 'set up logging', 'validate user input', 'paginate an API'];
const ERRORS = ['TypeError: Cannot read properties of undefined (reading \'map\')', 'KeyError: \'id\'', 'IndexError: list index out of range', 'panic: runtime error: invalid memory address or nil pointer dereference', 'NullPointerException', 'error[E0382]: borrow of moved value', 'ModuleNotFoundError: No module named \'numpy\'', 'SyntaxError: Unexpected token', 'ValueError: could not convert string to float', 'CORS policy: No \'Access-Control-Allow-Origin\' header', 'segmentation fault (core dumped)'];
const SPECS = ['checks whether a string is a palindrome', 'merges two sorted lists', 'counts word frequencies in a text', 'converts Celsius to Fahrenheit', 'flattens a nested list', 'returns the n-th prime', 'validates an email address', 'removes duplicates while keeping order', 'computes a moving average', 'finds the longest common prefix', 'chunks a list into batches', 'formats a number as currency'];
const LANG_PAIRS = [['list', 'tuple'], ['let', 'const'], ['interface', 'type'], ['== ', '==='], ['async', 'threads'], ['struct', 'class'], ['map', 'forEach'], ['Arc', 'Rc'], ['abstract class', 'interface']];
const SQL_SPECS = ['returns the top 5 customers by total order value', 'finds users who signed up but never ordered', 'computes monthly revenue for 2024', 'finds duplicate emails', 'returns the second highest salary per department', 'counts daily active users for the last 30 days'];
const REGEX_SPECS = ['US phone numbers', 'ISO dates like 2024-03-15', 'hex color codes', 'IPv4 addresses', 'strong passwords', 'URLs starting with https'];

const COURSES = ['biology', 'macroeconomics', 'organic chemistry', 'calculus', 'world history', 'psychology', 'statistics', 'physics', 'philosophy', 'computer science', 'sociology', 'linear algebra'];
const STUDY_TOPICS = ['the Krebs cycle', 'supply and demand', 'Newton\'s third law', 'the French Revolution', 'cognitive dissonance', 'p-values', 'eigenvectors', 'SN1 vs SN2 reactions', 'Kant\'s categorical imperative', 'mitosis', 'the Cold War', 'Big-O notation', 'opportunity cost', 'entropy'];
const ESSAYS = ['social media and mental health', 'the ethics of AI', 'renewable energy policy', 'the causes of World War I', 'universal basic income', 'remote work', 'the role of museums today'];
const EVENTS = ['the 2008 financial crisis', 'the fall of the Roman Empire', 'the Industrial Revolution', 'the Great Depression', 'World War I', 'the Arab Spring'];

const PREMISES = ['a lighthouse keeper who finds a message in a bottle', 'a robot learning to paint', 'two strangers stuck in an elevator', 'a detective who can hear lies', 'the last bookstore on Mars', 'a grandmother who was a secret spy', 'a town where it never stops raining', 'a chef who loses her sense of taste'];
const TONES = ['professional', 'friendly', 'concise', 'persuasive', 'casual', 'formal', 'warm', 'confident'];
const PARAS = [
  'Our team has been working really hard on the new feature and we think its going to be great for users, there were some delays but we are now on track.',
  'The weather was bad so the event got moved inside which was fine but a lot of people didnt know and went to the park instead.',
  'I am writing to let you know that I will not be able to attend the meeting on Thursday because of a conflict, sorry about that.',
  'The product is good but the shipping took forever and nobody answered my emails, I would maybe buy again if they fix this.',
];
const RECIPIENTS = ['manager', 'team', 'client', 'professor', 'landlord', 'HR', 'a recruiter', 'a vendor', 'my neighbor'];
const EMAIL_TOPICS = ['a deadline extension', 'a raise', 'taking Friday off', 'a missed payment', 'feedback on the proposal', 'rescheduling our call', 'a project update', 'a refund', 'onboarding a new hire'];
const ROLES = ['product manager', 'data analyst', 'software engineer', 'nurse', 'marketing coordinator', 'UX designer', 'accountant', 'teacher'];
const XLS = ['count cells that contain a word', 'look up a value from another sheet', 'sum values by month', 'highlight duplicates', 'split first and last names', 'calculate working days between two dates'];
const FIELD_TOPICS = ['protein folding prediction', 'causal inference with observational data', 'federated learning', 'microplastics in freshwater', 'CRISPR off-target effects', 'graph neural networks', 'urban heat islands', 'sleep and memory consolidation'];

// ---------------------------------------------------------------- organic

const ORGANIC: Record<Topic, Gen[]> = {
  casual: [
    (r) => `What's a good recipe for ${p(r, DISHES)} that doesn't need ${p(r, INGREDIENTS)}?`,
    (r) => `Plan a ${r.int(2, 10)}-day trip to ${p(r, CITIES)} for ${p(r, ['two people', 'a family of four', 'a solo traveler', 'a couple'])} on a ${p(r, ['tight', 'moderate', 'generous'])} budget.`,
    (r) => `Explain ${p(r, CONCEPTS)} like I'm ${r.int(5, 14)}.`,
    (r) => `Give me ${r.int(3, 10)} gift ideas for my ${p(r, RELATIONS)} who loves ${p(r, HOBBIES)}. Budget is around $${r.int(2, 20) * 10}.`,
    (r) => `My ${p(r, PETS)} keeps ${p(r, BEHAVIORS)}. Is that normal?`,
    (r) => `Can you summarize the plot of ${p(r, BOOKS)} without spoilers?`,
    (r) => `Write a short birthday message for my ${p(r, RELATIONS)} who is turning ${r.int(8, 90)}.`,
    (r) => `How do I get better at ${p(r, SKILLS)}?`,
    (r) => `Is it worth buying a ${p(r, PRODUCTS)} in 2026?`,
    (r) => { const pr = p(r, PAIRS); return `What's the difference between ${pr[0]} and ${pr[1]}?`; },
    (r) => `Help me write a polite message to my landlord about ${p(r, ISSUES)}.`,
    (r) => `Recommend some books similar to ${p(r, BOOKS)}.`,
    (r) => `I have ${r.sample(['chicken', 'rice', 'spinach', 'eggs', 'tomatoes', 'tofu', 'potatoes', 'onions', 'cheese', 'pasta'], 3).join(', ')} in the fridge. What can I cook tonight?`,
    (r) => `How many calories should I eat per day to ${p(r, ['lose weight', 'gain muscle', 'maintain'])} if I'm ${r.int(18, 65)} and weigh ${r.int(50, 120)} kg?`,
    (r) => `what should i do this weekend in ${p(r, CITIES)}`,
    (r) => `Is ${p(r, ['intermittent fasting', 'creatine', 'cold showers', 'a standing desk', 'melatonin'])} actually good for you?`,
  ],
  developer: [
    (r) => `How do I ${p(r, TASKS)} in ${p(r, LANGUAGES)}?`,
    (r) => `Why does this ${p(r, LANGUAGES)} code throw "${p(r, ERRORS)}"?\n\n${snippet(r)}`,
    (r) => `Write a ${p(r, LANGUAGES)} function that ${p(r, SPECS)}.`,
    (r) => { const pr = p(r, LANG_PAIRS); return `What's the difference between ${pr[0]} and ${pr[1]} in ${p(r, LANGUAGES)}?`; },
    (r) => `Can you review this function and suggest improvements?\n\n${snippet(r)}`,
    (r) => `Convert this snippet to ${p(r, LANGUAGES)}:\n\n${snippet(r)}`,
    (r) => `Write a SQL query that ${p(r, SQL_SPECS)}. Tables: users(id, email, created_at), orders(id, user_id, total, created_at).`,
    (r) => `Give me a regex that matches ${p(r, REGEX_SPECS)}.`,
    (r) => `My Docker container exits with code ${p(r, [1, 137, 139, 127])} right after start. How do I debug it?`,
    (r) => `How should I structure a ${p(r, ['REST API', 'CLI tool', 'monorepo', 'React app', 'data pipeline', 'Discord bot'])} project in ${p(r, LANGUAGES)}?`,
    (r) => `git says "${p(r, ['detached HEAD', 'Your branch and origin/main have diverged', 'refusing to merge unrelated histories', 'fatal: not a git repository'])}". What do I do?`,
    (r) => `explain this error: ${p(r, ERRORS)}`,
    (r) => `What's the fastest way to ${p(r, TASKS)} with ${p(r, ['pandas', 'numpy', 'lodash', 'tokio', 'Spring', 'Django', 'Express', 'SQLAlchemy'])}?`,
  ],
  student: [
    (r) => `Explain ${p(r, STUDY_TOPICS)} for my ${p(r, COURSES)} class.`,
    (r) => `Can you check my answer? Question: what is the derivative of ${r.int(2, 9)}x^${r.int(2, 5)} + ${r.int(1, 20)}x? My answer: ${r.int(4, 40)}x + ${r.int(1, 20)}`,
    (r) => `Help me outline an essay on ${p(r, ESSAYS)}.`,
    (r) => `What were the main causes of ${p(r, EVENTS)}?`,
    (r) => `Solve for x: ${r.int(2, 12)}x + ${r.int(1, 50)} = ${r.int(51, 200)}`,
    (r) => `Make me a study plan for my ${p(r, COURSES)} exam in ${r.int(3, 21)} days.`,
    (r) => `quiz me on ${p(r, STUDY_TOPICS)}`,
    (r) => `Summarize ${p(r, STUDY_TOPICS)} in 5 bullet points.`,
  ],
  writer: [
    (r) => `Write a short story about ${p(r, PREMISES)}.`,
    (r) => `Rewrite this paragraph to sound more ${p(r, TONES)}:\n\n${p(r, PARAS)}`,
    (r) => `Give me 10 title ideas for a ${p(r, ['mystery', 'fantasy', 'romance', 'sci-fi', 'thriller'])} novel about ${p(r, PREMISES)}.`,
    (r) => `Write a poem about ${p(r, ['autumn', 'the ocean', 'leaving home', 'city lights', 'my grandmother', 'coffee', 'insomnia'])}.`,
    (r) => `Continue this story in the same voice: "${p(r, ['The door had been locked for thirty years.', 'Nobody in the village talked about the tower.', 'She found the letter on a Tuesday.', 'The last train left without him.'])}"`,
    (r) => `Proofread this: ${p(r, PARAS)}`,
  ],
  professional: [
    (r) => `Write an email to my ${p(r, RECIPIENTS)} about ${p(r, EMAIL_TOPICS)}. Keep it ${p(r, TONES)}.`,
    (r) => `Summarize these meeting notes into action items:\n\n${meetingNotes(r)}`,
    (r) => `Draft a LinkedIn post announcing ${p(r, ['my new job as a ' + p(r, ROLES), 'our product launch', 'that we are hiring', 'my promotion', 'our seed round'])}.`,
    (r) => `What's an Excel formula to ${p(r, XLS)}?`,
    (r) => `Help me prepare for a job interview for a ${p(r, ROLES)} position.`,
    (r) => `Write a job description for a ${p(r, ROLES)}.`,
    (r) => `Turn these bullet points into a short status report:\n- ${r.sample(['shipped the beta', 'two bugs open', 'hiring is slow', 'budget on track', 'customer churn up 2%', 'migration 80% done'], 3).join('\n- ')}`,
  ],
  researcher: [
    (r) => `Summarize the main approaches to ${p(r, FIELD_TOPICS)}.`,
    (r) => `What statistical test should I use to compare ${p(r, ['two groups with non-normal data', 'three treatments with repeated measures', 'proportions between two samples', 'paired before/after scores'])}?`,
    (r) => `Help me design an experiment to test whether ${p(r, ['sleep affects recall', 'a new fertilizer increases yield', 'price framing changes purchases', 'a drug lowers blood pressure'])}.`,
    (r) => `Explain the difference between ${p(r, ['fixed and random effects', 'precision and recall', 'Bayesian and frequentist inference', 'PCA and t-SNE', 'cohort and case-control studies'])}.`,
    (r) => `Suggest related work for a paper on ${p(r, FIELD_TOPICS)}.`,
    (r) => `Rewrite this abstract to be clearer: ${p(r, PARAS)}`,
  ],
};

const FOREIGN: Record<string, Gen[]> = {
  es: [
    (r) => `¿Me puedes dar una receta de ${p(r, ['paella', 'tortilla de patatas', 'arroz con pollo', 'empanadas'])} fácil?`,
    (r) => `Escribe un correo a mi jefe pidiendo ${p(r, ['un día libre', 'un aumento', 'más tiempo para el proyecto'])}.`,
    (r) => `Explícame ${p(r, ['la inflación', 'los agujeros negros', 'el interés compuesto'])} de forma sencilla.`,
  ],
  de: [
    (r) => `Kannst du mir erklären, wie ${p(r, ['die Inflation', 'ein Kredit', 'die Steuererklärung', 'ein Wärmepumpe'])} funktioniert?`,
    (r) => `Schreib eine kurze E-Mail an meinen ${p(r, ['Vermieter', 'Chef', 'Kollegen'])} wegen ${p(r, ['der Heizung', 'eines Termins', 'der Miete'])}.`,
    (r) => `Wie kann ich in Python ${p(r, ['eine CSV-Datei einlesen', 'Duplikate entfernen', 'ein Datum formatieren'])}?`,
  ],
  fr: [
    (r) => `Peux-tu m'expliquer ${p(r, ['la photosynthèse', "l'inflation", 'les trous noirs'])} simplement ?`,
    (r) => `Écris un e-mail poli à mon ${p(r, ['propriétaire', 'manager', 'professeur'])} pour ${p(r, ['reporter un rendez-vous', 'demander un délai', 'signaler un problème'])}.`,
    (r) => `Donne-moi une recette de ${p(r, ['quiche', 'ratatouille', 'crêpes'])}.`,
  ],
  pt: [
    (r) => `Como faço para ${p(r, ['economizar dinheiro', 'aprender inglês rápido', 'estudar para o ENEM'])}?`,
    (r) => `Escreva uma mensagem de aniversário para minha ${p(r, ['mãe', 'irmã', 'amiga'])}.`,
    (r) => `Explique ${p(r, ['juros compostos', 'a fotossíntese', 'inteligência artificial'])} de forma simples.`,
  ],
  ja: [
    (r) => `${p(r, ['東京', '京都', '大阪'])}で${r.int(2, 5)}日間の旅行プランを作ってください。`,
    (r) => `${p(r, ['Python', 'JavaScript', 'Excel'])}で${p(r, ['重複を削除する', 'CSVを読み込む', '日付を計算する'])}方法を教えてください。`,
    (r) => `上司に${p(r, ['休暇の申請', '納期の延長', '会議の日程変更'])}をお願いするメールを書いてください。`,
  ],
  zh: [
    (r) => `请帮我写一封给${p(r, ['老板', '老师', '客户'])}的邮件，关于${p(r, ['请假', '项目进度', '退款'])}。`,
    (r) => `用简单的话解释一下${p(r, ['通货膨胀', '黑洞', '机器学习', '区块链'])}。`,
    (r) => `${p(r, ['Python', 'Java', 'SQL'])}里怎么${p(r, ['读取CSV文件', '去重', '排序'])}？`,
  ],
  ko: [
    (r) => `${p(r, ['서울', '부산', '제주도'])} ${r.int(2, 5)}일 여행 계획을 짜줘.`,
    (r) => `${p(r, ['인플레이션', '블랙홀', '복리'])}를 쉽게 설명해줘.`,
    (r) => `상사에게 ${p(r, ['휴가 요청', '마감 연장', '회의 일정 변경'])} 이메일을 써줘.`,
  ],
};

const FOLLOWUPS: Gen[] = [
  () => 'Can you make it shorter?',
  () => 'Thanks! Can you give me another example?',
  (r) => `What about ${p(r, ['the second option', 'doing it without a library', 'edge cases', 'performance', 'the cost', 'kids', 'a vegetarian version'])}?`,
  () => 'Why is that?',
  () => 'Can you explain the second point in more detail?',
  (r) => `That didn't work, I get this error: ${p(r, ERRORS)}`,
  () => 'Make it more formal.',
  (r) => `Can you translate that into ${p(r, ['Spanish', 'French', 'German', 'Japanese', 'Portuguese'])}?`,
  () => 'ok now add tests',
  () => 'Can you put that in a table?',
  () => 'shorter pls',
  () => 'Can you rewrite it in a friendlier tone?',
  () => 'Which one would you recommend?',
  () => 'Just give me the code.',
  () => 'Great, thanks!',
  (r) => `Hmm, are you sure? I read that ${p(r, ['it is the other way around', 'this changed recently', 'this is a myth'])}.`,
  () => 'Can you add more detail to the last part?',
  () => 'What are the downsides?',
  () => 'Now summarize everything in 3 bullet points.',
  (r) => `Can you adjust it for ${p(r, ['a beginner', 'my boss', 'a 10 year old', 'a LinkedIn audience', 'Python 3.8'])}?`,
  () => 'perfect. one more thing: how do I explain this to someone non-technical?',
];

const STEP_SUFFIX = [' Please explain step by step.', ' Show your work.', " Let's think step by step.", ' Walk me through it step by step.', ' Explain your reasoning step by step.'];

export function organicPrompt(r: Rng, topic: Topic, lang: string, stepShare: number): string {
  let t: string;
  if (lang in FOREIGN && r.chance(0.5)) t = p(r, FOREIGN[lang])(r);
  else t = p(r, ORGANIC[topic])(r);
  if (r.chance(stepShare)) t += p(r, STEP_SUFFIX);
  return t;
}

export function followup(r: Rng): string {
  return p(r, FOLLOWUPS)(r);
}

/** A short stand-in for the assistant's earlier replies (response bodies are not simulated). */
export function assistantStub(r: Rng): string {
  return p(r, [
    'Sure! Here is an overview. [...]',
    'Here is a version you can use. [...]',
    'In short: it depends. [...]',
    'Here are some options. [...]',
    'The error comes from the first line; here is a fix. [...]',
    'Here is the updated version. [...]',
    'Step by step: [...]',
    'Good question! [...]',
  ]);
}

// ---------------------------------------------------------------- code snippets

function snippet(r: Rng): string {
  const n = p(r, ['items', 'rows', 'users', 'data', 'records']);
  return p(r, [
    `def process(${n}):\n    result = []\n    for i in range(len(${n})):\n        if ${n}[i]['active']:\n            result.append(${n}[i]['id'])\n    return result`,
    `function load(${n}) {\n  return ${n}.map(x => x.value).filter(Boolean).reduce((a, b) => a + b);\n}`,
    `func sum(${n} []int) int {\n    total := 0\n    for _, v := range ${n} {\n        total += v\n    }\n    return total\n}`,
    `const res = await fetch(url);\nconst ${n} = res.json();\nconsole.log(${n}.length);`,
    `SELECT u.email, COUNT(o.id) FROM users u JOIN orders o ON o.user_id = u.id GROUP BY u.email HAVING COUNT(o.id) > ${r.int(1, 9)};`,
    `for (int i = 0; i <= ${n}.size(); i++) {\n    total += ${n}.get(i);\n}`,
  ]);
}

function meetingNotes(r: Rng): string {
  const names = r.sample(['Ana', 'Ben', 'Chen', 'Dana', 'Eli', 'Farah', 'Gus', 'Hana'], 3);
  return [
    `${names[0]}: launch moved to ${p(r, ['May', 'June', 'Q3'])}, waiting on legal review`,
    `${names[1]}: ${r.int(2, 9)} open bugs, ${r.int(1, 3)} blockers`,
    `${names[2]} to follow up with ${p(r, ['vendor', 'design', 'finance'])} by ${p(r, ['Friday', 'Monday', 'next week'])}`,
    `budget: ${r.int(5, 95)}% spent`,
  ].join('\n');
}

// ---------------------------------------------------------------- harvesting payloads

const THINGS = ['apples', 'marbles', 'books', 'tickets', 'cookies', 'pencils', 'stamps', 'bottles', 'shirts', 'eggs'];
const PEOPLE = ['Maya', 'Tom', 'Aisha', 'Kenji', 'Lucia', 'Omar', 'Sven', 'Priya', 'Diego', 'Zoe'];

const MATH: Gen[] = [
  (r) => { const a = r.int(12, 400), b = r.int(2, 9), c = r.int(3, 40); return `${p(r, PEOPLE)} has ${a} ${p(r, THINGS)}. She gives away 1/${b} of them and then buys ${c} more. Each costs $${r.int(1, 9)}.${r.int(0, 9)}0. How many does she have now, and how much did the new ones cost?`; },
  (r) => `A train leaves a station at ${r.int(40, 120)} km/h. ${r.int(1, 3)} hours later a second train leaves the same station on the same track at ${r.int(90, 180)} km/h. After how many hours does the second train catch up?`,
  (r) => `Find all integer solutions of x^2 - ${r.int(2, 30)}y^2 = ${p(r, [1, -1, 4, r.int(2, 50)])}.`,
  (r) => `How many ${r.int(4, 9)}-digit positive integers have digits that sum to ${r.int(10, 40)}?`,
  (r) => `A bag contains ${r.int(3, 12)} red, ${r.int(3, 12)} blue and ${r.int(1, 8)} green balls. Three are drawn without replacement. What is the probability that all three have different colors?`,
  (r) => `Prove that for every positive integer n, ${r.int(2, 9)}^(2n) - 1 is divisible by ${p(r, [3, 8, 5, 15])}, or find a counterexample.`,
  (r) => `The sum of ${r.int(3, 7)} consecutive odd numbers is ${r.int(20, 300) * 2 + 1}. Find the numbers, or show that no such numbers exist.`,
  (r) => `A rectangle has perimeter ${r.int(20, 200)} cm and its length is ${r.int(2, 5)} times its width. A circle has the same area. Find the radius of the circle to two decimals.`,
  (r) => `Evaluate the integral of x^${r.int(2, 5)} * e^(${r.int(1, 4)}x) dx from 0 to ${r.int(1, 3)}.`,
  (r) => `Let f(x) = ${r.int(1, 9)}x^3 - ${r.int(1, 20)}x^2 + ${r.int(1, 30)}x - ${r.int(1, 50)}. Find all local extrema and classify them.`,
  (r) => `A store discounts an item by ${r.int(5, 40)}%, then raises the new price by ${r.int(5, 40)}%. The final price is $${r.int(20, 500)}. What was the original price?`,
  (r) => `In how many ways can ${r.int(5, 12)} people be seated around a round table if two particular people refuse to sit next to each other?`,
  (r) => `Compute the remainder when ${r.int(2, 19)}^${r.int(100, 9999)} is divided by ${p(r, [7, 11, 13, 17, 19, 23, 1000])}.`,
  (r) => `A tank fills in ${r.int(2, 12)} hours with pipe A and in ${r.int(3, 15)} hours with pipe B; pipe C drains it in ${r.int(4, 20)} hours. With all three open, how long does it take to fill?`,
];

const ALGOS = ['Dijkstra\'s shortest path', 'an LRU cache', 'a trie with prefix search', 'topological sort', 'a min-heap', 'union-find with path compression', 'a rate limiter (token bucket)', 'an interval tree', 'the KMP string search', 'a consistent-hashing ring', 'a bloom filter', 'a B-tree insert', 'a thread-safe bounded queue', 'an expression parser', 'a JSON tokenizer', 'Raft leader election'];
const CODING: Gen[] = [
  (r) => `Implement ${p(r, ALGOS)} in ${p(r, LANGUAGES)}. Explain the design, analyse time and space complexity, and include tests for edge cases.`,
  (r) => `Given an array of ${r.int(1, 10) * 10 ** r.int(3, 5)} integers and an integer k = ${r.int(2, 50)}, return the number of contiguous subarrays whose sum is divisible by k. Write an optimal ${p(r, LANGUAGES)} solution and explain it.`,
  (r) => `Write a ${p(r, LANGUAGES)} program that reads a log file of ${p(r, ['HTTP requests', 'payments', 'sensor readings'])} and reports the ${r.int(3, 20)} most frequent ${p(r, ['IPs', 'error codes', 'users'])} in a sliding window of ${r.int(1, 60)} minutes. Handle malformed lines.`,
  (r) => `Refactor the following ${p(r, LANGUAGES)} code for readability and performance, and explain every change:\n\n${snippet(r)}`,
  (r) => `Design and implement a REST API in ${p(r, ['Python (FastAPI)', 'TypeScript (Express)', 'Go', 'Java (Spring)'])} for a ${p(r, ['todo app', 'library system', 'URL shortener', 'inventory service', 'booking system'])} with authentication, pagination and validation.`,
  (r) => `Find and fix the concurrency bug in a ${p(r, LANGUAGES)} worker pool where ${r.int(2, 64)} workers share a counter, then write a test that reproduces it.`,
  (r) => `Solve: given a grid of ${r.int(3, 1000)}x${r.int(3, 1000)} cells with obstacles, find the minimum number of moves for a knight to reach the target, or -1. Provide ${p(r, LANGUAGES)} code.`,
  (r) => `Write a SQL schema and queries for ${p(r, ['a multi-tenant SaaS billing system', 'a ride-sharing app', 'a hospital appointment system'])}, including indexes and the query plans you expect.`,
];

const REASONING: Gen[] = [
  (r) => { const n = r.int(4, 7); const ps = r.sample(PEOPLE, n); return `${ps.join(', ')} sit in a row. ${ps[0]} is not at either end. ${ps[1]} sits immediately left of ${ps[2]}. ${ps[n - 1]} is ${r.int(2, 3)} seats away from ${ps[0]}. Who can sit in the middle? List all arrangements that satisfy the constraints.`; },
  () => 'On an island, knights always tell the truth and knaves always lie. A says "B is a knave." B says "A and C are the same kind." C says "I am a knight." Determine who is what, justifying each step.',
  (r) => `A company's revenue rose ${r.int(5, 40)}% while its profit fell ${r.int(5, 40)}%. List at least five possible explanations and describe what data would distinguish between them.`,
  (r) => `If all ${p(r, ['bloops', 'zarks', 'fendles'])} are ${p(r, ['razzies', 'quibs', 'lorns'])} and some ${p(r, ['razzies', 'quibs', 'lorns'])} are not green, which conclusions necessarily follow? Evaluate each of four candidate conclusions.`,
  (r) => `You have ${r.int(8, 12)} coins, one counterfeit (heavier or lighter) and a balance scale. Find the counterfeit in ${r.int(3, 4)} weighings and say whether it is heavier or lighter.`,
  (r) => `A study finds that people who ${p(r, ['drink coffee', 'own dogs', 'use standing desks'])} live longer. Critically evaluate whether this supports a causal claim.`,
  (r) => `Schedule ${r.int(5, 9)} meetings into ${r.int(3, 5)} rooms over one day given these constraints: no person in two meetings at once, room capacities ${r.int(4, 8)}/${r.int(8, 20)}/${r.int(20, 40)}, and the CEO's meetings before noon. Explain how you search for a valid schedule.`,
];

const AGENT_GOALS = [
  'find the three cheapest direct flights from Berlin to Lisbon next month and put them in a spreadsheet',
  'investigate why the nightly CI build fails intermittently and open a pull request with a fix',
  'migrate the users table to a new schema with zero downtime and verify row counts',
  'research five competitors of a meal-kit startup and write a comparison report with sources',
  'set up monitoring and alerting for a web service and test that alerts fire',
  'reproduce a reported memory leak in the image-processing service and profile it',
  'book a meeting room for 12 people next Tuesday and send the invites',
  'clean the sales CSV, compute monthly KPIs and produce charts',
  'upgrade the web app from React 17 to 18 and fix everything that breaks',
  'scrape the public product catalog, normalize prices and load them into Postgres',
  'triage the 40 newest GitHub issues, label them and draft replies',
  'write and run a data-quality check over the warehouse tables and file tickets for failures',
];
const AGENTIC: Gen[] = [
  (r) => `Task: ${p(r, AGENT_GOALS)}. You can call the tools provided. Plan first, then act step by step, and report what you did.`,
  (r) => `You are operating a computer with a browser and a terminal. Goal: ${p(r, AGENT_GOALS)}. Describe each action you take and why.`,
  (r) => `Break down the following into tool calls and execute them in order: ${p(r, AGENT_GOALS)}. Recover from errors if a tool fails.`,
];

const PLANNING: Gen[] = [
  (r) => `Create a detailed ${r.int(3, 8)}-phase plan to ${p(r, ['launch a B2B SaaS product', 'migrate a monolith to microservices', 'open a second restaurant location', 'run a national vaccination campaign', 'build a mobile banking app', 'organize a 2,000-person conference'])}, with milestones, dependencies, risks and mitigations.`,
  (r) => `Plan a ${r.int(6, 24)}-month roadmap for ${p(r, ['a robotics startup', 'a hospital EHR rollout', 'a city bike-share program', 'a data platform team'])}. Include staffing, budget estimates and decision points.`,
  (r) => `Decompose the goal "${p(r, ['reduce customer churn by 30%', 'ship an offline-first mobile app', 'achieve SOC 2 compliance', 'cut cloud costs in half'])}" into a hierarchy of tasks with owners, estimates and order of execution.`,
  (r) => `You have ${r.int(3, 12)} engineers and ${r.int(2, 9)} months. Produce a week-by-week plan to ${p(r, ['rewrite the billing system', 'build a recommendation engine', 'launch in three new countries'])}, explaining trade-offs.`,
];

const PAYLOADS: Record<PayloadKind, Gen[]> = { math: MATH, coding: CODING, reasoning: REASONING, agentic: AGENTIC, planning: PLANNING };

export function payload(r: Rng, kind: PayloadKind): string {
  return p(r, PAYLOADS[kind])(r);
}

// ---------------------------------------------------------------- Q/A and benchmark items

/** A grade-school word problem with its worked answer (unique via random numbers). */
export function mathItem(r: Rng): Item {
  const who = p(r, PEOPLE);
  const thing = p(r, THINGS);
  const a = r.int(3, 90), b = r.int(2, 12), c = r.int(2, 40), price = r.int(2, 15);
  const total = a * b - c;
  return {
    text: `${who} buys ${b} boxes of ${thing} with ${a} ${thing} in each box. ${who} gives ${c} ${thing} to a friend and sells the rest for $${price} each. How much money does ${who} make?`,
    answer: `${who} buys ${b} * ${a} = ${a * b} ${thing}.\nAfter giving ${c} away, ${a * b} - ${c} = ${total} are left.\nSelling them at $${price} each gives ${total} * ${price} = $${total * price}.\n#### ${total * price}`,
  };
}

const HE_SPECS: readonly (readonly [string, string, string])[] = [
  ['has_close_elements', 'numbers: list[float], threshold: float', 'Check if any two numbers are closer to each other than the threshold.'],
  ['separate_paren_groups', 'paren_string: str', 'Split a string of balanced parenthesis groups into separate strings.'],
  ['below_zero', 'operations: list[int]', 'Return True if the running balance of the operations ever falls below zero.'],
  ['intersperse', 'numbers: list[int], delimeter: int', 'Insert the delimeter between every two consecutive elements.'],
  ['count_distinct_characters', 'string: str', 'Count distinct characters, ignoring case.'],
  ['largest_divisor', 'n: int', 'Return the largest number smaller than n that divides n evenly.'],
  ['rolling_max', 'numbers: list[int]', 'Return the list of rolling maximums.'],
  ['is_palindrome', 'text: str', 'Check whether the text is a palindrome.'],
  ['fib4', 'n: int', 'Compute the n-th element of the fib4 sequence without recursion.'],
  ['median', 'l: list', 'Return the median of the elements in the list.'],
  ['prime_fib', 'n: int', 'Return the n-th number that is both a Fibonacci number and prime.'],
  ['car_race_collision', 'n: int', 'Count collisions between n cars moving left and n cars moving right.'],
  ['sort_third', 'l: list', 'Sort the values at indices divisible by three, keep the others.'],
  ['encode_cyclic', 's: str', 'Encode a string by cycling groups of three characters.'],
  ['triangle_area', 'a: float, b: float, c: float', 'Return the area of the triangle rounded to 2 decimals, or -1 if invalid.'],
  ['will_it_fly', 'q: list, w: int', 'Return True if the list is a palindrome and its sum is at most w.'],
];

/** A HumanEval-like function-completion item; `i` makes each item of a sweep distinct. */
export function codingItem(r: Rng, i: number): Item {
  const [name, args, doc] = p(r, HE_SPECS);
  const ex = r.int(1, 99);
  return {
    text: `Complete the following Python function.\n\ndef ${name}_${i}(${args}):\n    """${doc}\n    >>> ${name}_${i}(...)  # example ${ex}\n    """\n`,
  };
}

const FACT_QS: readonly (readonly [string, string])[] = [
  ['Why do leaves change color in autumn?', 'As days shorten, trees stop producing chlorophyll. The green fades and reveals yellow and orange carotenoids, while some species make red anthocyanins from trapped sugars.'],
  ['What causes inflation?', 'Inflation happens when demand outpaces supply, when production costs rise, or when the money supply grows faster than output; expectations of future inflation can also feed it.'],
  ['How does a vaccine train the immune system?', 'It presents a harmless antigen so B and T cells learn to recognize it, producing memory cells that respond quickly on real exposure.'],
  ['Why is the ocean salty?', 'Rain erodes rocks and carries dissolved minerals to the sea; water evaporates but salts stay, concentrating over millions of years.'],
  ['What is the difference between TCP and UDP?', 'TCP is connection-oriented with ordered, reliable delivery and congestion control; UDP sends independent datagrams with no delivery guarantee and lower overhead.'],
  ['Should a small bakery raise prices when flour costs rise 20%?', 'Flour is a fraction of total cost, so a smaller targeted increase on flour-heavy items, communicated clearly, protects margin without losing regulars.'],
];

/** A question with a completed answer (for reasoning reconstruction and rubric grading). */
export function qaItem(r: Rng): Item {
  if (r.chance(0.6)) return mathItem(r);
  const [q, a] = p(r, FACT_QS);
  return { text: q, answer: a };
}

// ---------------------------------------------------------------- homework

export interface Assignment {
  course: string;
  base: string;
  /** The student's version of the assignment. */
  variant: (r: Rng) => string;
}

const ASSIGNMENTS: readonly ((r: Rng) => Assignment)[] = [
  (r) => {
    const n = r.int(10, 40);
    return mk('CS 101', `Write a Python function that returns the ${n}th Fibonacci number using recursion, then rewrite it with memoization and compare the running times.`, (s) => s.replace(String(n), String(n + s.length % 5)));
  },
  () => mk('ECON 201', 'Explain how a price ceiling on rental housing affects supply, demand and the quality of housing in the long run. Use a supply and demand diagram in your explanation.'),
  () => mk('BIO 110', 'Describe the stages of mitosis and explain how errors in chromosome separation can lead to cancer.'),
  () => mk('STAT 250', 'A sample of 40 students has a mean sleep time of 6.4 hours with standard deviation 1.1. Test at the 5% level whether the mean is less than 7 hours, and interpret the p-value.'),
  () => mk('HIST 230', 'Compare the causes of the American and French revolutions. Which factor mattered most, and why?'),
  () => mk('PHYS 121', 'A ball is thrown upward at 18 m/s from a 25 m tall building. Find the maximum height, the time to hit the ground, and the speed at impact.'),
  () => mk('CS 240', 'Implement a binary search tree in Java with insert, delete and in-order traversal, and explain the time complexity of each operation.'),
  () => mk('PSYC 100', 'Summarize the Stanford prison experiment and discuss its ethical problems and what it does and does not show.'),
];

function mk(course: string, base: string, tweak?: (s: string) => string): Assignment {
  return {
    course,
    base,
    variant: (r) => {
      let s = base;
      if (tweak && r.chance(0.5)) s = tweak(s);
      const lead = r.pick(['', '', 'Can you help me with my homework? ', `For my ${course} class: `, 'hi, ', 'Question: ', 'I need help with this assignment. ', 'how do i answer this: ']);
      const tail = r.pick(['', '', '', ' Please explain it simply.', ' I am confused about where to start.', ' Due tomorrow!', ' Can you also check my reasoning?', ' Keep it under 500 words.']);
      if (r.chance(0.2)) s = s.toLowerCase();
      if (r.chance(0.15)) s = s.replace(/\. /, '. Also, ');
      return `${lead}${s}${tail}`;
    },
  };
}

export function assignment(r: Rng): Assignment {
  return p(r, ASSIGNMENTS)(r);
}

// ---------------------------------------------------------------- extraction documents

const DOC_KINDS = ['invoice', 'contract', 'claim', 'resume', 'ticket'] as const;
export type DocKind = (typeof DOC_KINDS)[number];

export function docKind(r: Rng): DocKind {
  return p(r, DOC_KINDS);
}

export const DOC_FIELDS: Record<DocKind, string> = {
  invoice: 'invoice_number, vendor, issue_date, due_date, currency, subtotal, tax, total, line_items[]',
  contract: 'parties[], effective_date, term_months, renewal, governing_law, termination_notice_days, payment_terms',
  claim: 'claim_id, policy_number, claimant, incident_date, incident_type, amount_claimed, description',
  resume: 'name, email, current_title, years_experience, skills[], education[], last_employer',
  ticket: 'ticket_id, customer, product, severity, category, summary, requested_action',
};

/** A synthetic business document; every call is distinct. */
export function document(r: Rng, kind: DocKind): string {
  const [f, l] = [p(r, PEOPLE), p(r, ['Smith', 'Okafor', 'Tanaka', 'Muller', 'Rossi', 'Silva', 'Kowalski', 'Nguyen'])];
  const co = `${p(r, ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne'])} ${p(r, ['Supplies', 'Logistics', 'Industries', 'Foods', 'Systems'])}`;
  const d = `2026-${String(r.int(1, 4)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`;
  switch (kind) {
    case 'invoice': {
      const lines = r.int(1, 5);
      let body = `INVOICE #INV-${r.int(10000, 999999)}\n${co}\n${r.int(1, 999)} ${p(r, ['Main St', 'Harbor Rd', 'Industrial Ave', 'Market St'])}\nBill to: ${f} ${l}\nDate: ${d}\nTerms: Net ${p(r, [15, 30, 45, 60])}\n`;
      let sub = 0;
      for (let i = 0; i < lines; i++) {
        const q = r.int(1, 50), u = r.int(2, 900);
        sub += q * u;
        body += `${p(r, ['Widget', 'Service hours', 'License', 'Shipping', 'Consulting', 'Parts kit'])} ${String.fromCharCode(65 + i)}  qty ${q}  @ ${u}.00  = ${q * u}.00\n`;
      }
      return `${body}Subtotal: ${sub}.00\nTax (${r.int(5, 20)}%): see below\nTotal due: ${Math.round(sub * 1.1)}.00 ${p(r, ['USD', 'EUR', 'GBP'])}`;
    }
    case 'contract':
      return `SERVICES AGREEMENT\nThis Agreement is entered into on ${d} between ${co} ("Provider") and ${p(r, ['Northwind', 'Contoso', 'Fabrikam', 'Tailspin'])} ${p(r, ['LLC', 'Inc.', 'GmbH', 'Ltd'])} ("Client").\n1. Term. The initial term is ${r.int(6, 36)} months and renews automatically for successive ${r.int(6, 12)}-month periods unless either party gives ${p(r, [30, 60, 90])} days' written notice.\n2. Fees. Client pays ${r.int(2, 90)},000 ${p(r, ['USD', 'EUR'])} per ${p(r, ['month', 'quarter'])}, invoiced ${p(r, ['in advance', 'in arrears'])}, due within ${p(r, [15, 30, 45])} days.\n3. Governing law. ${p(r, ['New York', 'Delaware', 'England and Wales', 'Germany', 'California'])}.`;
    case 'claim':
      return `CLAIM FORM\nClaim ID: CLM-${r.int(100000, 9999999)}\nPolicy: P-${r.int(1000000, 9999999)}\nClaimant: ${f} ${l}\nDate of incident: ${d}\nType: ${p(r, ['water damage', 'auto collision', 'theft', 'storm', 'medical'])}\nAmount claimed: ${r.int(200, 90000)}\nDescription: ${p(r, ['Pipe burst in the kitchen overnight, flooring and cabinets damaged.', 'Rear-ended at a traffic light; bumper and trunk damaged, no injuries.', 'Laptop and bike stolen from the garage while away.', 'Hail damaged the roof and two windows.'])}`;
    case 'resume':
      return `${f} ${l}\n${f.toLowerCase()}.${l.toLowerCase()}@example.com\n${p(r, ['Senior Data Engineer', 'Product Designer', 'Registered Nurse', 'Financial Analyst', 'Backend Developer'])}\nExperience: ${r.int(1, 20)} years\n- ${co}, ${r.int(2010, 2024)}-present\n- ${p(r, ['Hooli', 'Initech', 'Globex'])}, ${r.int(2005, 2015)}-${r.int(2016, 2023)}\nSkills: ${r.sample(['Python', 'SQL', 'Figma', 'Excel', 'Kubernetes', 'patient care', 'forecasting', 'Go', 'Spark'], 4).join(', ')}\nEducation: ${p(r, ['BSc Computer Science', 'BA Economics', 'BSN Nursing', 'MSc Statistics'])}, ${p(r, ['State University', 'Tech Institute', 'City College'])}`;
    case 'ticket':
      return `Ticket #${r.int(100000, 999999)} | ${d}\nFrom: ${f} ${l} (${co})\nProduct: ${p(r, ['Mobile app', 'Billing portal', 'API', 'Dashboard', 'Router X200'])}\nSubject: ${p(r, ['Cannot log in after update', 'Charged twice this month', 'Export to CSV fails', 'Device keeps rebooting', 'Need to change plan'])}\nMessage: ${p(r, ['Since yesterday the app shows a blank screen after login. Tried reinstalling.', 'I see two charges of the same amount on my card. Please refund one.', 'Export spins forever for reports longer than a month.', 'It restarts every 10 minutes, lights blink orange.'])} ${p(r, ['This is urgent.', 'Thanks.', 'Please advise.', ''])}`;
  }
}

// ---------------------------------------------------------------- coding agents

const REPO_TASKS = [
  'the checkout flow throws a 500 when the cart has a discounted item; find the cause and fix it with a test',
  'add pagination to the /api/orders endpoint and update the frontend table',
  'migrate the config loader from YAML to TOML without breaking existing deployments',
  'refactor the auth middleware to support API keys as well as sessions',
  'the integration tests are flaky on CI; make them deterministic',
  'upgrade the ORM to the next major version and fix the type errors',
  'implement CSV export for the reports page',
  'profile the image resize worker and cut its memory use',
  'add a dark mode toggle that persists per user',
  'write end-to-end tests for the signup flow',
  'split the 2,000-line utils module into cohesive modules',
  'add retry with exponential backoff to the payment webhook handler',
];

export function repoTask(r: Rng): string {
  return `${p(r, ['', 'In this repo, ', 'Please ', 'Task: '])}${p(r, REPO_TASKS)}`;
}

export const AGENT_TOOLS: readonly (readonly [string, string, readonly string[]])[] = [
  ['read_file', 'Read a file from the workspace', ['path']],
  ['write_file', 'Write a file to the workspace', ['path', 'content']],
  ['edit_file', 'Replace a string in a file', ['path', 'old', 'new']],
  ['list_dir', 'List a directory', ['path']],
  ['grep', 'Search files for a pattern', ['pattern', 'path']],
  ['glob', 'Find files by glob', ['pattern']],
  ['bash', 'Run a shell command', ['command']],
  ['run_tests', 'Run the test suite', ['filter']],
  ['git_diff', 'Show the working tree diff', []],
  ['git_commit', 'Commit staged changes', ['message']],
  ['web_fetch', 'Fetch a URL', ['url']],
  ['web_search', 'Search the web', ['query']],
  ['todo_write', 'Update the task list', ['items']],
  ['ask_user', 'Ask the user a question', ['question']],
  ['lint', 'Run the linter', ['path']],
  ['typecheck', 'Run the type checker', []],
  ['open_pr', 'Open a pull request', ['title', 'body']],
  ['read_logs', 'Read service logs', ['service', 'since']],
  ['sql_query', 'Run a read-only SQL query', ['sql']],
  ['screenshot', 'Take a screenshot of the app', ['url']],
  ['notebook_edit', 'Edit a notebook cell', ['path', 'cell', 'source']],
  ['task', 'Delegate a subtask to a sub-agent', ['prompt']],
];

export function agentTurn(r: Rng, assistant: boolean): string {
  if (assistant) return `[${p(r, AGENT_TOOLS)[0]}]`;
  return p(r, ['[ok]', '[tool_result]', '[output truncated]', '[2 matches]', '[exit 0]', '[exit 1]', '[diff]']);
}
