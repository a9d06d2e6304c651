"""Typed, frozen family parameters: refused by name at registration, quick values, round trips."""

from __future__ import annotations

import dataclasses
import json
import pickle

import pytest

from benchmark.errors import TaskError
from benchmark.families import get_family
from benchmark.families.context_drift.params import ContextDriftParams
from benchmark.families.params import ParamError, Params
from benchmark.families.spectrum_by_category.params import SpectrumParams
from benchmark.families.spectrum_layers.params import SpectrumLayersParams
from benchmark.families.static_contextual.params import StaticContextualParams
from benchmark.families.static_static.params import StaticStaticParams
from benchmark.families.static_static_unsupervised.params import UnsupervisedParams
from benchmark.tasks import Task, get_task, load_tasks

ALL = (StaticStaticParams, UnsupervisedParams, StaticContextualParams, ContextDriftParams, SpectrumParams,
       SpectrumLayersParams)


def _task(**params) -> Task:
    return Task(name="typo_task", version="1.0", family="static_static", description="typo",
                main_metric="p@1/csls", params=params)


def test_a_misspelled_key_in_a_task_is_refused_naming_task_and_key():
    with pytest.raises(TaskError, match="task 'typo_task': 'serch_vocab' is no parameter of StaticStaticParams "
                                        "\\(did you mean 'search_vocab'"):
        _task(serch_vocab=10)


def test_a_misspelled_quick_override_is_refused_at_registration():
    with pytest.raises(TaskError, match="task 'typo_task': profile 'quick': 'n_bootstrp' is no parameter"):
        Task(name="typo_task", version="1.0", family="static_static", description="typo", main_metric="p@1/csls",
             quick_params={"n_bootstrp": 10})


@pytest.mark.parametrize("change, message", [
    ({"n_bootstrap": -1}, "parameter n_bootstrap = -1: must be ≥ 1"),
    ({"n_bootstrap": 0}, "parameter n_bootstrap = 0: must be ≥ 1"),
    ({"n_train": 1.5}, "parameter n_train = 1.5 is not int"),
    ({"n_train": True}, "parameter n_train = True is not int"),
    ({"ks": (1, "5")}, "parameter ks = \\(1, '5'\\) is not tuple\\[int, ...\\]"),
    ({"isf_betas": (10.0, -1.0)}, "parameter isf_betas = \\[10.0, -1.0\\]: must be > 0"),
    ({"isf_betas": (float("nan"),)}, "parameter isf_betas = \\[nan\\] is not finite"),
    ({"normalization": 3}, "parameter normalization = 3 is not str"),
])
def test_a_bad_value_is_refused_naming_task_and_parameter(change, message):
    with pytest.raises(ParamError, match="task 'typo_task': StaticStaticParams: " + message):
        _task(**change)


def test_bad_values_of_the_other_families_are_refused_by_name():
    with pytest.raises(ParamError, match="correction = 'bonferroni' is not one of 'holm', 'none'"):
        SpectrumParams(correction="bonferroni")
    with pytest.raises(ParamError,
                       match="view = {'sorce': 'input'}: 'sorce' is not one of source, .* \\(did you mean 'source'"):
        SpectrumParams(view={"sorce": "input"})
    with pytest.raises(ParamError, match="keep_prob = 1.5: must be ≤ 1"):
        UnsupervisedParams(keep_prob=1.5)
    with pytest.raises(ParamError, match="gw_solver = 'exact' is not one of 'conditional_gradient', 'entropic'"):
        UnsupervisedParams(gw_solver="exact")
    with pytest.raises(ParamError, match="rank_range = \\[5000, 100\\]: the first rank must be below the second"):
        ContextDriftParams(rank_range=(5000, 100))
    with pytest.raises(ParamError, match="rank_range = \\(1, 2, 3\\) is not tuple\\[int, int\\]"):
        ContextDriftParams(rank_range=(1, 2, 3))
    with pytest.raises(ParamError, match="standardize = 1 is not bool"):
        StaticContextualParams(standardize=1)


def test_params_are_frozen_and_replace_names_an_unknown_parameter():
    p = StaticStaticParams()
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.n_test = 3
    with pytest.raises(TypeError):
        SpectrumParams().view["source"] = "input"  # a mapping field is read-only too
    assert p.replace(n_test=3).n_test == 3 and p.n_test == 1_500
    with pytest.raises(ParamError, match="'n_tset' is no parameter of StaticStaticParams \\(did you mean 'n_test'"):
        p.replace(n_tset=3)
    with pytest.raises(ParamError, match="'n_tset' is no parameter"):
        StaticStaticParams.from_dict({"n_tset": 3})


@pytest.mark.parametrize("cls", ALL)
def test_as_dict_holds_every_field_as_json_and_round_trips(cls):
    for p in (cls(), cls().quick()):
        d = p.as_dict()
        assert set(d) == {f.name for f in dataclasses.fields(cls)}
        assert json.loads(json.dumps(d)) == d  # JSON values already: lists, dicts
        assert cls.from_dict(d) == p == cls.from_dict(json.loads(json.dumps(d)))
        assert pickle.loads(pickle.dumps(p)) == p


def test_int_for_a_float_and_list_for_a_tuple_are_accepted_as_the_declared_type():
    p = UnsupervisedParams(keep_multiplier=3, ks=[1, 5])
    assert p.keep_multiplier == 3.0 and isinstance(p.keep_multiplier, float) and p.ks == (1, 5)


def test_quick_gives_the_quick_values():
    quick = StaticStaticParams().quick()
    assert quick.profile == "quick"
    assert (quick.search_vocab, quick.n_train, quick.n_dev, quick.n_test, quick.n_bootstrap, quick.isf_betas) == (
        20_000, 2_000, 500, 1_000, 200, (10.0, 30.0))
    assert UnsupervisedParams().quick().n_seeds == 2 and UnsupervisedParams().quick().n_test == 1_000
    assert SpectrumLayersParams().quick().view == SpectrumLayersParams().view  # the view is not a quick value
    for name in load_tasks().names():
        task = get_task(name)
        if isinstance(task.params, Params):
            assert task.quick().params == task.params.quick()


def test_each_shipped_task_records_its_family_s_full_params():
    for name in load_tasks().names():
        task = get_task(name)
        cls = get_family(task.family).params
        assert type(task.params) is cls
        assert set(task.params_dict()) == set(cls.names())


def test_a_task_s_dict_params_are_built_through_the_family_class():
    task = _task(n_test=300)
    assert isinstance(task.params, StaticStaticParams) and task.params.n_test == 300
    assert task.params.search_vocab == StaticStaticParams().search_vocab  # the rest: defaults
    assert task.params_dict()["n_bootstrap"] == 1_000  # recorded although the task did not name it


def test_params_of_another_family_are_refused():
    with pytest.raises(ParamError, match="task 'typo_task': params are SpectrumParams, family 'static_static' "
                                         "takes StaticStaticParams"):
        Task(name="typo_task", version="1.0", family="static_static", description="typo", main_metric="p@1/csls",
             params=SpectrumParams())


@dataclasses.dataclass(frozen=True)
class _NormParams(Params):
    QUICK = {"n_rows": 10}

    n_rows: int = dataclasses.field(default=100, metadata={"ge": 1})


def test_a_third_party_family_may_declare_a_params_class_or_keep_a_mapping():
    from benchmark.families import FAMILIES, register_family
    from benchmark.families.base import TaskFamily

    static = get_family("static_static")
    register_family("typed_norms", TaskFamily(evaluate=static.evaluate, render=static.render,
                                              summary=static.summary, params=_NormParams))
    register_family("plain_norms", TaskFamily(evaluate=static.evaluate, render=static.render,
                                              summary=static.summary))
    try:
        typed = Task(name="typed", version="1", family="typed_norms", description="d", main_metric="m",
                     params={"n_rows": 5})
        assert typed.params == _NormParams(n_rows=5) and typed.quick().params.n_rows == 10
        with pytest.raises(ParamError, match="task 'typed': _NormParams: parameter n_rows = 0: must be ≥ 1"):
            Task(name="typed", version="1", family="typed_norms", description="d", main_metric="m",
                 params={"n_rows": 0})
        plain = Task(name="plain", version="1", family="plain_norms", description="d", main_metric="m",
                     params={"anything": 1}, quick_params={"anything": 2})
        assert plain.params == {"anything": 1} and plain.params_dict() == {"anything": 1}
        assert plain.quick().params == {"anything": 2, "profile": "quick"}
    finally:
        FAMILIES.unregister("typed_norms")
        FAMILIES.unregister("plain_norms")
