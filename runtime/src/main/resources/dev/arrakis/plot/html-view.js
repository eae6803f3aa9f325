/*
 * Arrakis HtmlView: draws the tokens in #arrakis-data and colours them. Everything the page shows comes from that
 * JSON block and is put into the page as text (textContent, never innerHTML), so a token such as "<b>" is shown,
 * not obeyed.
 *
 * data = {
 *   tokens: [string],
 *   attention: {heads: [{label: string, pattern: [[number]]}]},   // pattern[query][key], optional
 *   values: [{name: string, values: [number]}]                     // one value per token, optional
 * }
 */
(function () {
  'use strict';

  var ATTENTION_RGB = [8, 81, 156];
  var NEGATIVE_RGB = [33, 102, 172];
  var POSITIVE_RGB = [178, 24, 43];
  var TOP_KEYS_SHOWN = 5;

  var data = JSON.parse(document.getElementById('arrakis-data').textContent);
  var view = document.getElementById('view');

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function quoted(token) {
    return '\'' + token + '\'';
  }

  function number(value) {
    return value.toFixed(3);
  }

  /** A row of buttons of which exactly one is pressed; onSelect(index) runs on a click. */
  function selector(label, names, className, onSelect) {
    var group = element('div', 'controls');
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', label);
    group.appendChild(element('span', 'label', label));
    var buttons = names.map(function (name, index) {
      var button = element('button', className, name);
      button.type = 'button';
      button.setAttribute('data-index', String(index));
      button.setAttribute('aria-pressed', index === 0 ? 'true' : 'false');
      button.addEventListener('click', function () {
        buttons.forEach(function (other) {
          other.setAttribute('aria-pressed', other === button ? 'true' : 'false');
        });
        onSelect(index);
      });
      group.appendChild(button);
      return button;
    });
    return group;
  }

  function tokenRow(id) {
    var row = element('div', 'tokens');
    row.id = id;
    var spans = data.tokens.map(function (token, index) {
      var span = element('span', 'token', token);
      span.setAttribute('data-index', String(index));
      span.tabIndex = 0;
      row.appendChild(span);
      return span;
    });
    return {row: row, spans: spans};
  }

  function legend(barClass, low, high) {
    var box = element('div', 'legend');
    box.appendChild(element('span', null, low));
    box.appendChild(element('span', 'bar ' + barClass));
    box.appendChild(element('span', null, high));
    return box;
  }

  function rgba(rgb, alpha) {
    return 'rgba(' + rgb[0] + ', ' + rgb[1] + ', ' + rgb[2] + ', ' + alpha + ')';
  }

  /** White at 0, the full colour at 1: the colour of a pixel covered by the colour at opacity t over white. */
  function towardsWhite(rgb, t) {
    return 'rgb(' + rgb.map(function (channel) {
      return Math.round(255 + (channel - 255) * t);
    }).join(', ') + ')';
  }

  // ----- attention: hover a token (the query) to colour every key by its weight -----

  function attentionView(heads) {
    var section = element('section', 'attention');
    section.id = 'attention';
    // The last token is the query until another is hovered: it is the one a causal model predicts from.
    var state = {head: 0, query: data.tokens.length - 1, pinned: false};
    section.appendChild(selector('Head', heads.map(function (head) { return head.label; }), 'head-button',
      function (index) {
        state.head = index;
        paint();
      }));
    section.appendChild(element('p', 'hint',
      'Hover a token to colour each token by how much it attends there (opacity = attention weight); ' +
      'click a token to pin it, click again to release.'));
    var tokens = tokenRow('attention-tokens');
    section.appendChild(tokens.row);
    section.appendChild(legend('attention-bar', '0', '1'));
    var readout = element('div', 'readout');
    readout.id = 'attention-readout';
    readout.setAttribute('aria-live', 'polite');
    section.appendChild(readout);

    function weights() {
      return heads[state.head].pattern[state.query];
    }

    function paint() {
      tokens.spans.forEach(function (span, key) {
        span.classList.toggle('query', key === state.query);
        span.classList.toggle('pinned', state.pinned && key === state.query);
        var weight = weights()[key];
        // Zero is no colour at all, so that keys a causal head cannot see read as blank paper.
        span.style.backgroundColor = weight > 0 ? rgba(ATTENTION_RGB, weight) : 'transparent';
        span.style.color = weight > 0.55 ? '#ffffff' : '';
        span.setAttribute('data-weight', String(weight));
        span.title = quoted(data.tokens[state.query]) + ' \u2192 ' + quoted(data.tokens[key]) + ': ' + number(weight);
      });
      describeQuery();
    }

    function describeQuery() {
      var row = weights();
      var order = row.map(function (weight, key) { return key; })
        .filter(function (key) { return row[key] > 0; })
        .sort(function (a, b) { return row[b] - row[a] || a - b; })
        .slice(0, TOP_KEYS_SHOWN);
      readout.textContent = heads[state.head].label + ', query ' + state.query + ' ' +
        quoted(data.tokens[state.query]) + ' attends to: ' + order.map(function (key) {
          return quoted(data.tokens[key]) + ' ' + number(row[key]);
        }).join(', ');
    }

    function describePair(key) {
      readout.textContent = heads[state.head].label + ': ' + quoted(data.tokens[state.query]) + ' \u2192 ' +
        quoted(data.tokens[key]) + ': ' + number(weights()[key]);
    }

    tokens.spans.forEach(function (span, index) {
      function enter() {
        if (state.pinned) {
          describePair(index);
        } else if (state.query !== index) {
          state.query = index;
          paint();
        }
      }
      span.addEventListener('mouseenter', enter);
      span.addEventListener('focus', enter);
      function toggle() {
        state.pinned = !(state.pinned && state.query === index);
        state.query = index;
        paint();
      }
      span.addEventListener('click', toggle);
      span.addEventListener('keydown', function (event) {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          toggle();
        }
      });
    });
    paint();
    return section;
  }

  // ----- token values: a signed number per token, blue below zero, white at zero, red above -----

  function valuesView(series) {
    var section = element('section', 'values');
    section.id = 'values';
    var state = {series: 0};
    section.appendChild(selector('Values', series.map(function (entry) { return entry.name; }), 'series-button',
      function (index) {
        state.series = index;
        paint();
      }));
    section.appendChild(element('p', 'hint',
      'Each token coloured by its value on a scale symmetric about zero: blue below, white at zero, red above.'));
    var tokens = tokenRow('value-tokens');
    section.appendChild(tokens.row);
    var scale = legend('diverging-bar', '', '');
    section.appendChild(scale);
    var readout = element('div', 'readout');
    readout.id = 'value-readout';
    readout.setAttribute('aria-live', 'polite');
    section.appendChild(readout);

    function paint() {
      var values = series[state.series].values;
      var bound = values.reduce(function (most, value) { return Math.max(most, Math.abs(value)); }, 0);
      scale.firstChild.textContent = number(-bound);
      scale.lastChild.textContent = number(bound);
      tokens.spans.forEach(function (span, index) {
        var value = values[index];
        var t = bound === 0 ? 0 : value / bound;
        span.style.backgroundColor = towardsWhite(t < 0 ? NEGATIVE_RGB : POSITIVE_RGB, Math.abs(t));
        span.style.color = Math.abs(t) > 0.65 ? '#ffffff' : '';
        span.setAttribute('data-value', String(value));
        span.title = quoted(data.tokens[index]) + ': ' + number(value);
      });
      readout.textContent = series[state.series].name + ': from ' + number(-bound) + ' (blue) to ' +
        number(bound) + ' (red). Hover a token for its value.';
    }

    tokens.spans.forEach(function (span, index) {
      function enter() {
        readout.textContent = series[state.series].name + ', position ' + index + ' ' +
          quoted(data.tokens[index]) + ': ' + number(series[state.series].values[index]);
      }
      span.addEventListener('mouseenter', enter);
      span.addEventListener('focus', enter);
    });
    paint();
    return section;
  }

  if (data.attention) {
    view.appendChild(attentionView(data.attention.heads));
  }
  if (data.values) {
    view.appendChild(valuesView(data.values));
  }
}());
