"""Comments the team wrote one by one, not from the templates of bench/spam_set.py (#26): the
filter learns from the generated set and is tested on these, the nearest we have to a set
nobody on the team has seen.

    hand_written() -> [(Signals, label)]   # label 1: spam
"""

from spam.features import Signals

HAND_SPAM = [
    (
        "Really enjoyed this! If anyone needs help with their thesis, we write it for you.",
        "Essay Helper",
        "helpdesk2291@yopmail.com",
        "https://essay-master-pro.xyz/",
    ),
    (
        "Thanks for the info. Check my profile for the best deals on sneakers",
        "Cheap Sneakers Outlet",
        "sale@sneakerzone.shop",
        "https://sneakerzone.shop/",
    ),
    (
        "Get rich with our automated trading app, 300% returns guaranteed https://t.ly/9xQ",
        "Mark",
        "mark88123@mail.ru",
        "",
    ),
    (
        "Nice blog! Watch free movies online in HD at https://freemovies-hd.stream no signup",
        "Free Movies",
        "movies4u@outlook.com",
        "",
    ),
    (
        "I lost 12 kg in a month with this keto supplement, doctors hate it: https://keto-slim.top",
        "Sarah",
        "sarah.keto.7781@gmail.com",
        "https://keto-slim.top",
    ),
    (
        "Hello. I am a recovery expert, I got back my stolen bitcoin. Contact on telegram @recover",
        "Hacker Jamie",
        "jamie.recover0@gmail.com",
        "",
    ),
    (
        'awesome!!! <a href="https://loan-fast-cash.biz">payday loans</a> no credit check',
        "Payday Loans",
        "loans@loan-fast-cash.biz",
        "https://loan-fast-cash.biz",
    ),
    (
        "Your article is very good. I also share on my website about roof repair and gutter "
        "cleaning, please visit https://roofers-near.me",
        "Roof Repair Denver",
        "info@roofers-near.me",
        "https://roofers-near.me",
    ),
    (
        "Who wants to earn from home? I make $400 a day, details here https://cutt.ly/earnhome",
        "Linda",
        "linda45670@gmail.com",
        "",
    ),
    (
        "Great article! Our company offers the best CBD oil gummies, free shipping worldwide.",
        "CBD Gummies",
        "shop@cbd-happy.store",
        "https://cbd-happy.store",
    ),
    (
        "Superb post. Dating site for singles over 40: https://meet-mature-singles.club",
        "Dating",
        "admin@meet-mature-singles.club",
        "https://meet-mature-singles.club",
    ),
    (
        "Very nice. buy cheap tiktok likes and views instantly https://likes-boost.shop",
        "TikTok Likes",
        "boost3341@mailinator.com",
        "",
    ),
    (
        "Wow, this is exactly what I needed. Download cracked software free at "
        "https://softcrack-download.net/office",
        "Crack",
        "crackz@yopmail.com",
        "",
    ),
    (
        "Amazing content. Book the best escort service in the city https://vip-girls-city.xyz",
        "VIP",
        "vip77@mail.ru",
        "https://vip-girls-city.xyz",
    ),
    (
        "Good read. Learn how I passed my exam with leaked questions: https://exam-dumps.pro",
        "Exam Dumps",
        "dumps@exam-dumps.pro",
        "https://exam-dumps.pro",
    ),
    (
        "Informative. For moving services at low prices call us or visit https://movers-cheap.biz",
        "Movers",
        "movers5509@gmail.com",
        "https://movers-cheap.biz",
    ),
    (
        "Best hair transplant clinic in Istanbul, all inclusive package https://hairclinic-tr.com",
        "Hair Transplant Turkey",
        "info@hairclinic-tr.com",
        "https://hairclinic-tr.com",
    ),
    (
        "This post is gold. Try our AI essay rewriter, undetectable: https://rewrite-ai.tools",
        "AI Rewriter",
        "team@rewrite-ai.tools",
        "https://rewrite-ai.tools",
    ),
    ("nice one", "Buy Gold Coins", "gold2288@mail.ru", "https://goldcoins-deal.xyz"),
    (
        "Thanks, shared it. Also see https://bit.ly/3xYz for cheap flights and hotel deals",
        "Travel Deals",
        "deals8812@outlook.com",
        "",
    ),
]
HAND_GOOD = [
    (
        "The chart in the third section uses a log scale but the labels read as linear; took me "
        "a minute to notice.",
        "Priya N.",
        "priya.n@fastmail.com",
        "",
    ),
    (
        "We switched our office to this setup last year. The first two weeks were painful, after "
        "that nobody wanted to go back.",
        "Jon",
        "jon.k@web.de",
        "",
    ),
    (
        "Small typo: 'their' in the second paragraph should be 'there'.",
        "Lotte",
        "lotte@hey.com",
        "",
    ),
    (
        "For anyone curious, the original paper is here: https://arxiv.org/abs/2105.01601 and "
        "the follow-up discusses the limits.",
        "M. Okafor",
        "m.okafor@uni-koeln.de",
        "",
    ),
    (
        "I live near the new bridge and the traffic is actually worse now, not better. Maybe it "
        "settles once the works finish.",
        "Giulia",
        "giulia.r@libero.it",
        "",
    ),
    (
        "My dad grew these for forty years and swore by coffee grounds in the soil. No idea if "
        "it helps, but his were enormous.",
        "Tom",
        "tomw@btinternet.com",
        "",
    ),
    (
        "Does this work on older hardware too? I have a 2015 laptop and the install kept failing.",
        "Aiko",
        "aiko.s@icloud.com",
        "",
    ),
    (
        "Strongly disagree with the conclusion. The data covers one summer, which is not "
        "enough to say anything about a trend.",
        "Rafael",
        "rafael@proton.me",
        "",
    ),
    (
        "Great post, thanks. I wrote up my own attempt at this on my blog if anyone wants a "
        "second opinion: https://annasblog.net/2024/bread",
        "Anna",
        "anna@annasblog.net",
        "https://annasblog.net",
    ),
    (
        "The museum is closed on Mondays, so plan the route the other way round.",
        "Henrik",
        "henrik.l@gmail.com",
        "",
    ),
    (
        "Sources for the figures: https://ec.europa.eu/eurostat and "
        "https://www.ons.gov.uk/economy , both free to download.",
        "Claire",
        "claire.d@orange.fr",
        "",
    ),
    ("Thank you! This finally made closures click for me.", "Sam", "sam.t@gmail.com", ""),
    (
        "Interesting, but I think you're underselling how expensive this gets at scale. Our bill "
        "tripled.",
        "Devon",
        "devon@startupmail.io",
        "https://devon.dev",
    ),
    ("lol my cat does exactly the same thing every morning at 5", "Maja", "maja@gmx.net", ""),
    (
        "Is there a version of the recipe without nuts? My son is allergic.",
        "Fatima",
        "fatima.b@yahoo.com",
        "",
    ),
    (
        "I was at that match! The atmosphere in the second half was unreal.",
        "Sean",
        "sean.obrien@eircom.net",
        "",
    ),
    (
        "You might want to mention that the free tier changed in March; the limits are lower "
        "now. https://docs.github.com/en/billing",
        "Kai",
        "kai@kaiwrites.org",
        "",
    ),
    (
        "Beautiful photos. Which lens did you use for the mountain ones?",
        "Elif",
        "elif.y@hotmail.com",
        "",
    ),
    (
        "As a nurse I can confirm the night shift part. Nobody tells you about the sleep debt.",
        "Rosa M.",
        "rosam@outlook.com",
        "",
    ),
    (
        "Bookmarked. Will try the cycling route with my kids this weekend if the weather holds.",
        "Pieter",
        "pieter.v@ziggo.nl",
        "",
    ),
]


def hand_written():
    """[(Signals, label)] of the hand-written comments, as the real form would give them."""
    rows = [(s, 1) for s in HAND_SPAM] + [(g, 0) for g in HAND_GOOD]
    return [
        (Signals(body=body, name=name, email=email, url=url, form_seconds=None), label)
        for (body, name, email, url), label in rows
    ]
