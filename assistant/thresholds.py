"""Every threshold of answering, in one place, each with how it was set.

"Dev packs" are seed_dev, tatqa_dev and seed_chat_dev with the probe's dev split (tests/data/probe);
the probe's held-out split was scored only once, at the end.
"""

# ----- retrieval --------------------------------------------------------------------------------------
K = 40  # candidates scored per question: 60 changed TAT-QA recall by +0.25 points, within noise
TRUECASE_CHUNKS = 10  # a question's lower-case words are written as these best candidates write them (names)
KIND_LIKE, KIND_MARGIN = 0.35, 0.1  # a query's head noun asks for a person, company or place when "the <noun>" is this
#   close (cosine) to that kind's prompt and this much closer than to any other kind's (`Answerer._kind_by_meaning`):
#   on 108 nouns written for it, 39 of 60 nouns of people, companies and places typed as written ("bidder" a
#   person), 1 of 48 other nouns mistyped ("project" a person)
DIMENSION_MARGIN = 0.15  # "how long were guests stuck" asks a time, not a length, when "how much time" is this much closer
#                           to it (cosine) than "how far" (0.21; "how long is the tunnel" -0.08, "the crossing" -0.04)
MEASURE_LIKE = 0.6  # a word of the passages found means what a question measures at this cosine to its word (single
#                     words, the embedder's): houses/homes 0.87, injuries/injured 0.83, hurt/injured 0.64, stadium/arena
#                     0.60; unrelated words near figures 0.23-0.53 (people/passengers 0.51, land/hectares 0.52)
TERM_WORDS = 240  # a question's terms are looked for in other words among at most this many words of its candidates
MEASURE_WORDS = 120  # ... among at most this many words of sentences holding a figure (about 0.4 ms a word)
MEANING_CHUNKS = 4  # text chunks whose sentences are embedded at question time (the best by fused rank):
#                     about 8 ms a sentence on one thread; 6 chunks gave p50 339 ms at 10k chunks, 4 keep it
#                     under 300 ms with TAT-QA and the probe unchanged within a point

# ----- deciding to answer -----------------------------------------------------------------------------
MIN_SUPPORT = 0.35  # share of the question's idf-weighted terms the evidence and its context hold: below
#                     it, the evidence only resembles the question (set on the dev packs; 0.3 to 0.4 is flat)
MIN_MEANING = 0.5  # ... unless the best sentence is this close in meaning (cosine) to the question: a
#                    paraphrase ("what worries Japan" / "China's increasing assertiveness"); 0.45 answered "what
#                    did the Chinese foreign ministry say" (0.46) over the seed; 0.5 changed no other dev answer
UNSEEN_TERM = 0.5  # a verb or adjective of the question that the corpus never uses counts this much: it may
#                    paraphrase what is there ("what worries Japan"); an unseen noun counts in full
MIN_LABEL = 0.6  # a question about a year must name the row it reads (row-label match)
PART_LABEL, FULL_SUPPORT, PART_PHRASE = 0.5, 0.75, 0.2  # ... or name it in part, when the row and its table
#                                                         hold nearly all the question asks, words in order
MIN_PHRASE = 0.1  # ... or share a word pair with the sentence it reads
WHOLE_ROW_SUPPORT = 0.7  # a row none of whose columns the question names must hold this much of it

# whether evidence answers: a logistic model over what it holds of the question (`answerability`)
ANSWER_CANDIDATES = 10  # the best candidates (by score) the model gives a probability of answering
MIN_P = 0.35  # the best candidate must be this likely to answer, else the question is declined: set end to end
#              (briefing eval); with the weights fitted on every developed pack, 0.35 to 0.55 give the same answers
#              on the chat packs (the probabilities are far from it either way)
ANSWERABILITY = {  # fitted by bench/answerability.py --write
    "bias": -0.199, "score": 0.551,
    "support": -0.204, "focus": -0.193, "meaning": 1.182, "dense": 0.76, "local": 0.772, "phrase": 1.904,
    "label": 0.433, "row": 0.463, "article": 0.236, "entity_missing": -0.409, "year_missing": -1.452,
    "nouns_missing": 0.385, "nouns_unsaid": 0.156, "typed": 0.282, "untyped": -1.292, "unmeasured": -1.679,
    "role_unnamed": -0.133, "kind_unsaid": -2.111, "operation_unstated": 0.0, "followed": 0.757, "unseen": -0.403
}

# ----- choosing among evidence ------------------------------------------------------------------------
FALLBACK_SCORE = 0.75  # when the best evidence cannot answer, the next that can, if it scored this share
FALLBACK_OTHER = 0.9  # ... from another article: at least this share
FALLBACK_DEPTH = 3
SPEAKER_DEPTH = 5  # "what did the union boss say": the speaker closest in meaning among this many of the best ...
SPEAKER_MARGIN = 0.05  # ... first, when closer than the best's by this (cosine); set by hand, not tuned
RANK_DEPTH = 5  # "which segment had the highest X": the table of the first row among this many candidates
RANK_WIDTH = 15  # ... or a table whose rows are of the kind asked, or that gives the change asked, among this many
ALTERNATIVE_SCORE = 0.8  # other articles' answers stated beside the best when they scored this share of it
ROW_FOR_PASSAGE = 0.9  # ... a table row where the best evidence is a passage: this share
SAME_LABEL_SCORE = 0.6  # ... a table row under the very label of the best row: this share
MAX_ALTERNATIVES = 4
MAX_MEMBERS = 12  # rows listed for "what are the components of X"
ANSWERS_TOO = 0.5  # another article's evidence answers the question too when its answerability is at least this
#   share of the best's; its value is then a side though its sentence is worded far from the claim ...
RESTATED_LOOSELY = 0.3  # ... if it is at least this close in meaning to the claim (cosine; restatements in other
#   words score 0.3-0.55 on the four conflicts sets, other sentences of the same story down to 0)
SLOT_LIKE = 0.4  # a briefing's claim and another article's sentence say a person of the same thing: the words around
#   each (`sides.slot`) this close in meaning (the embedder's cosine; on the conflicts sets, disputed people 0.58-0.81
#   for three pairs, 0.14 and 0.33 for two, missed; people in other roles 0.05-0.51)
SIDE_DEPTH = 12  # another article is read for a side when it has evidence among this many of the best
SAME_SUBJECT = 0.75  # ... about the same thing when both articles (and titles) hold this share of the words of a
#                      question typed in lower case (no entities to compare), idf-weighted
STORY_DAYS = 31  # ... or, where a headline does not name it, both articles published within this many days: news of
#                 one event (the conflicts sets' stories span 1-4 days; reports and pages without dates never)
SAME_STORY = 0.6  # idf-weighted share of words two articles must share to be one story
RESTATED = 0.55  # two articles' sentences state the same claim at this cosine (the embedder's), for a briefing's
#                  points and for the sides of an answer: the conflicts set's restatements with a changed value score 0.59-0.77, sentences about
#                  other facts of the same story 0.38-0.45 (a current and a new fare: 0.545)
RESTATED_STORY = 0.2  # ... in articles that share this much (`shared`): rewrites of one story 0.2-0.53, unrelated
#                       articles at most 0.16 there, 0.21 in the probe corpus (where sentences must also agree in meaning)
COPY = 0.9  # ... and to be one source (a wire story and its copies, a republished article): the conflicts set's
#             wire copies share 1.0, rewrites of one story by two outlets 0.2-0.53, unrelated articles at most 0.16
HEAD_MISSED = 0.5  # a row label whose head (the words before 'of', 'from', ...) the question does not use
BLANK_CELL = 0.5  # a row whose asked cells are blank ("—") scores this share
SECTION_ASKED = 0.8  # a question this much covered by a section's heading asks about the section
SECTION_FOCUS = 0.8  # ... and its opening sentences answer it this well
SECTION_LIKE = 0.6  # ... or a heading this close to it in meaning (the embedder's cosine), and to what it asks with the
SECTION_UNNAMED = 0.25  # things it names left out within this: "What Oslo is worried about" 0.72 and 0.52 for "what
#   worries norway about russia"; the seed's "Analysis of Japan's Strategic Position ..." 0.64 but 0.15 for "What worries
#   Japan about China?"
FOLLOWED = 0.5  # a follow-up's evidence from the articles the previous answer cited scores this more (of ~6-8)
NEAR_TIE = 0.97  # a passage's second-best sentence scoring this share of the best is quoted with it (a question
# with no typed answer): probe dev answer +1 point, seed chat +6.7; 0.95 only lengthened one more answer
TYPED_BONUS = 0.5  # a sentence holding a span of the asked answer type (a date for "when") scores this more
ENTITY_UNNAMED = 0.85  # "what worries X": evidence whose passage lacks a name the question gives (one of the best
#                        has it) scores this share for each (set by hand on chat_haze's Oyelami question)
ROLE_UNNAMED = 0.7  # "who is X": evidence that names no one in that role scores this share

# ----- composing --------------------------------------------------------------------------------------
MAX_POINTS = 6  # an open question's synthesis: at most this many cited points (one per part of the article)
POINT_SHARE = 0.75  # ... about a topic: each point scoring at least this share of the best point
MAX_LIST = 12  # items of a list answer
CONVERTED = 0.05  # one measure in two units ("30cm" / "12-inch") when this close (`textscan.converted`): conversions
#                   are rounded, two reports of different sizes are further apart ("12 miles" / "16 kilometres": 17%)
SCALE = 100  # two figures this many times apart are two facts, not two reports of one (`sides._of_one_scale`); set by
#              hand, not tuned
REASON_MEANING = 2.0  # a why or worry question: the best sentence's cosine added to a candidate's score this many
#                       times (1, 2 and 4 tried on the developed chat packs: 2 gained a chat_unseen answer and lost
#                       none, 4 lost one of chat_final)
