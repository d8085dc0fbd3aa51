"""The team's labelled comments for the spam filter (#26): spam of the kinds seen in the wild
(SEO link drops, pharmacy, casino, crypto, "great post" with a website, keyword names) and
real-looking comments on varied articles, some linking to their sources. Written from our own
templates and word lists, drawn with a fixed seed: the same set on every run.

    labelled(n_spam=400, n_good=400) -> [(Signals, label)]   # label 1: spam
"""

import random

from spam.features import Signals

FIRST = [
    "Anna",
    "Ben",
    "Chloé",
    "Dmitri",
    "Eva",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kofi",
    "Lena",
    "Marta",
    "Nikhil",
    "Olga",
    "Pedro",
    "Quinn",
    "Rosa",
    "Sven",
    "Tomás",
    "Uma",
    "Viktor",
    "Wen",
    "Yusuf",
    "Zoe",
    "Aoife",
    "Bashir",
    "Camille",
    "Dara",
    "Emil",
]
LAST = [
    "Berg",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Hansen",
    "Ivanova",
    "Jones",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Nakamura",
    "O'Brien",
    "Petrov",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Usman",
    "Virtanen",
    "Walsh",
    "Yilmaz",
    "Zhang",
    "Novak",
    "Silva",
]
MAIL = [
    "gmail.com",
    "outlook.com",
    "posteo.de",
    "fastmail.com",
    "proton.me",
    "yahoo.com",
    "web.de",
    "icloud.com",
    "orange.fr",
    "uni-heidelberg.de",
    "hey.com",
    "gmx.net",
]

TOPICS = {
    "python": (
        [
            "the generator example",
            "async iterators",
            "the type hints section",
            "pattern matching",
            "the packaging advice",
            "the benchmark",
        ],
        ["docs.python.org", "peps.python.org", "github.com", "stackoverflow.com"],
    ),
    "cooking": (
        [
            "the sourdough starter",
            "the braising times",
            "the spice ratio",
            "brown butter",
            "the knife technique",
            "the tomato sauce",
        ],
        ["seriouseats.com", "en.wikipedia.org", "bbcgoodfood.com"],
    ),
    "cycling": (
        [
            "the tyre pressure table",
            "tubeless setup",
            "the gravel route",
            "chain wear",
            "the climbing gears",
            "winter commuting",
        ],
        ["sheldonbrown.com", "bicyclerollingresistance.com", "en.wikipedia.org"],
    ),
    "history": (
        [
            "the Hanseatic League",
            "the printing press chapter",
            "Roman roads",
            "the 1848 revolutions",
            "the map of trade routes",
            "medieval guilds",
        ],
        ["en.wikipedia.org", "archive.org", "jstor.org", "britannica.com"],
    ),
    "science": (
        [
            "the CRISPR explanation",
            "dark matter",
            "the error bars",
            "the sample size",
            "the climate figures",
            "the telescope data",
        ],
        ["arxiv.org", "nature.com", "ncbi.nlm.nih.gov", "nasa.gov"],
    ),
    "gardening": (
        [
            "the composting tips",
            "tomato blight",
            "the pruning calendar",
            "raised beds",
            "companion planting",
            "the watering schedule",
        ],
        ["rhs.org.uk", "extension.umn.edu", "en.wikipedia.org"],
    ),
    "city": (
        [
            "the new tram line",
            "the bike lanes",
            "the housing figures",
            "the council meeting",
            "parking rules",
            "the library hours",
        ],
        ["citylab.com", "data.gov", "en.wikipedia.org", "openstreetmap.org"],
    ),
}
GOOD_OPENERS = ["I think", "In my experience", "Interesting point about", "Not sure I agree with",
                "Thanks for writing up", "One thing missing from", "I tried", "Minor correction on",
                "We ran into the same problem with", "Could you say more about",
                "Funny, I was reading about", "Honestly I found"]  # fmt: skip
GOOD_MIDDLES = [
    "it worked fine until we scaled it up, then it fell apart in ways the article hints at.",
    "the numbers look off to me; the second table seems to double count the last year.",
    "my grandmother did it differently, she always let it rest overnight before anything else.",
    "I'd add that the older approach still has its place when you have less time.",
    "we argued about this at work for a week and ended up somewhere in the middle.",
    "the part about costs is right, but the maintenance side is what bites you later.",
    "this matches what I saw last spring, although the weather made it hard to judge.",
    "the explanation is clear, but the diagram confused me until I read it twice.",
    "I disagree a little: the trade-off depends a lot on how often you actually do it.",
    "there is a good discussion of the same question in the comments of the previous post.",
    "my own test gave roughly the same result, within a few percent.",
    "the author is right that nobody measures this, including me until recently.",
]
GOOD_CLOSERS = [
    "Anyway, good read.",
    "Looking forward to part two.",
    "Just my two cents.",
    "Happy to share my notes if useful.",
    "Does anyone else see this?",
    "",
    "Cheers.",
    "Thanks!",
    "Curious what others think.",
    "Keep it up.",
    "I'll try your version next weekend.",
    "Source below if anyone wants it.",
]

SPAM_KINDS = {
    "pharmacy": (
        [
            "cheap viagra",
            "cialis online",
            "buy tramadol",
            "generic levitra",
            "xanax without prescription",
            "order phentermine",
            "kamagra oral jelly",
            "discount pharmacy",
            "no prescription needed",
            "weight loss pills",
        ],
        [
            "rx-meds-direct.net",
            "pillshop24.biz",
            "cheapmeds-online.top",
            "pharma-discount.ru",
            "bestrxstore.xyz",
            "medsnoprescription.info",
        ],
    ),
    "casino": (
        [
            "online casino",
            "free spins",
            "casino bonus",
            "slot machines",
            "best betting",
            "poker online",
            "jackpot today",
            "no deposit bonus",
            "live roulette",
            "sports betting tips",
        ],
        [
            "casino-royal-bonus.com",
            "spinwin777.net",
            "slots-jackpot.club",
            "bet-masters.bet",
            "luckyspin.casino",
            "topcasinos-review.xyz",
        ],
    ),
    "crypto": (
        [
            "bitcoin investment",
            "crypto trading bot",
            "double your btc",
            "forex signals",
            "passive income crypto",
            "binary options",
            "earn 500 dollars daily",
            "nft giveaway",
            "airdrop claim",
            "crypto recovery expert",
        ],
        [
            "btc-profit-now.io",
            "cryptoyield.finance",
            "coin-doubler.site",
            "forexpro-signals.online",
            "nft-drop.claims",
            "recoverfunds-expert.com",
        ],
    ),
    "seo": (
        [
            "seo services",
            "cheap backlinks",
            "buy instagram followers",
            "web design agency",
            "rank first on google",
            "guest post service",
            "essay writing service",
            "cheap logo design",
            "plumber near me",
            "best vpn deals",
        ],
        [
            "seo-rankboost.agency",
            "backlinks4u.net",
            "followers-cheap.shop",
            "essaypro-writers.org",
            "topvpn-deals.xyz",
            "localplumber-pros.biz",
        ],
    ),
    "replica": (
        [
            "replica watches",
            "cheap designer handbags",
            "fake rolex",
            "ugg boots sale",
            "louis vuitton outlet",
            "michael kors outlet",
        ],
        ["replica-watches-shop.com", "luxury-bags-outlet.net", "cheapuggs.store"],
    ),
}
SHORT = ["bit.ly", "tinyurl.com", "cutt.ly", "rb.gy", "is.gd"]
PRAISE = ["Great post!", "Nice article, thanks for sharing.", "Very informative.",
          "I really like this blog.", "Awesome content, keep it up!", "This is very helpful.",
          "Thanks for the useful information.", "Wonderful article, bookmarked.",
          "Hello, your site is amazing.", "Good job, very nice write-up."]  # fmt: skip
SPAM_BODIES = [
    "Looking for {kw}? Visit {link} for the best prices and fast delivery.",
    "{praise} By the way, check {link} for {kw}, it changed my life.",
    "{kw} {kw2} {link} {kw} best price guaranteed",
    "I found {kw} here: {link} and also {link2}. Highly recommended!!!",
    "Hi admin, {praise_l} We offer {kw} and {kw2}. Contact us at {link}",
    "[{kw}]({url}) [{kw2}]({url2}) [{kw}]({url3})",
    '{praise} <a href="{url}">{kw}</a>',
    "Make money fast with {kw}! Join now {link} limited offer, only today.",
    "{praise} I have been looking for this. My site: {link}",
    "Dear sir, {kw} is the best way. More info {link} {link2} {link3}",
    "{praise}",
    "{kw}, {kw2}, {kw} - {link}",
    "Thanks for this. If you need {kw} we can help, message me.",
    "{praise} We also provide {kw}, see the link in my name.",
    "Hello, I'm a {kw} expert with 10 years of experience. Reach out for {kw2}.",
    "Is it possible to get {kw} here? I found a good offer at {link}",
]


SHORT_GOOD = [
    "Thanks, this helped.", "Great write-up, bookmarked.", "Nice post, thanks for sharing it.",
    "Which camera did you use?", "Agreed, well put.", "This made my morning, thank you.",
    "Typo in the first line: 'teh'.", "Same here!", "Is there a part two coming?",
    "Love this. Sending it to my sister.", "Good point about {subject}.",
    "Great post! I had no idea about {subject}.", "Can you share the source for {subject}?",
    "Awesome, thanks for {subject}.", "Very helpful, especially {subject}.",
    "Not convinced by {subject}, but nice read.", "Hello from Lisbon, we do {subject} too!",
]  # fmt: skip


def person(rng):
    first, last = rng.choice(FIRST), rng.choice(LAST)
    email = f"{first.lower()}.{last.lower()}@{rng.choice(MAIL)}".replace("'", "")
    return f"{first} {last}" if rng.random() < 0.8 else first, email


def good(rng):
    topic, (subjects, sources) = rng.choice(sorted(TOPICS.items()))
    name, email = person(rng)
    text = f"{rng.choice(GOOD_OPENERS)} {rng.choice(subjects)}: {rng.choice(GOOD_MIDDLES)}"
    if rng.random() < 0.3:  # people write short comments too, praise included
        text = rng.choice(SHORT_GOOD).format(subject=rng.choice(subjects))
    elif rng.random() < 0.5:
        text += f" {rng.choice(GOOD_MIDDLES).capitalize()}"
    if rng.random() < 0.3:  # a source, as readers cite them
        path = rng.choice(["wiki/Example", "2023/report.pdf", "docs/guide", "abs/2301.01234"])
        text += f" See https://{rng.choice(sources)}/{path} for details."
    text += f" {rng.choice(GOOD_CLOSERS)}".rstrip()
    url = ""
    if rng.random() < 0.2:  # an own blog, on the name or the address's domain
        url = f"https://{name.split()[0].lower()}.{rng.choice(['blog', 'dev', 'net', 'org'])}"
    if rng.random() < 0.1:  # a business's own site, or a shop, under an honest comment
        url = f"https://{rng.choice(['www.', ''])}{rng.choice(LAST).lower()}-{topic}.com/"
    approved = rng.choice([0, 0, 0, 0, 1, 2, 5, 12])
    return Signals(body=text, name=name, email=email, url=url,
                   form_seconds=rng.uniform(8, 900), author_approved=approved)  # fmt: skip


def spam(rng):
    kind, (keywords, domains) = rng.choice(sorted(SPAM_KINDS.items()))
    kw, kw2 = rng.sample(keywords, 2)

    def link():
        host = rng.choice(SHORT) if rng.random() < 0.15 else rng.choice(domains)
        return f"https://{host}/{rng.choice(['', 'buy', 'go', 'offer', '?ref=88'])}"

    template = rng.choice(SPAM_BODIES)
    body = template.format(
        kw=kw, kw2=kw2, link=link(), link2=link(), link3=link(), url=link(), url2=link(),
        url3=link(), praise=rng.choice(PRAISE), praise_l=rng.choice(PRAISE).lower(),
    )  # fmt: skip
    roll = rng.random()
    if roll < 0.4:  # a keyword for a name
        name = kw.title()
    elif roll < 0.6:
        name = f"{rng.choice(FIRST)} {kw.split()[0]}"
    else:
        name = rng.choice(FIRST)
    digits = rng.randint(1000, 99999) if rng.random() < 0.6 else ""
    local = f"{name.split()[0].lower()}{digits}"
    email = f"{local}@{rng.choice(MAIL + ['mailinator.com', 'yopmail.com', 'mail.ru'])}"
    url = f"https://{rng.choice(domains)}/" if rng.random() < 0.6 else ""
    return Signals(
        body=body, name=name, email=email, url=url, form_seconds=rng.uniform(3, 40),
        author_spam=rng.choice([0, 0, 0, 1, 3]), ip_spam=rng.choice([0, 0, 1, 4]),
    )  # fmt: skip


def labelled(n_spam=400, n_good=400, *, seed=26):
    """[(Signals, label)], spam and good comments shuffled together, the same on every run."""
    rng = random.Random(seed)
    rows = [(spam(rng), 1) for _ in range(n_spam)] + [(good(rng), 0) for _ in range(n_good)]
    rng.shuffle(rows)
    return rows
