/*
 * Starts GraphiQL for concur-gateway. It lives in a file, not in the page, so the page's
 * Content-Security-Policy can refuse every inline script. Configuration comes from the
 * data- attributes of #graphiql:
 *   data-endpoint  the GraphQL path (HTTP, and WebSocket for subscriptions)
 *   data-examples  the example tabs, [{query, variables}]
 *   data-session   only on the embedded sandbox: {users: [{login, label, headers}],
 *                  variables} -- the Headers tab starts as the first user, and a button
 *                  per user switches the current tab to them in one click.
 */
(function () {
  'use strict';

  var INTROSPECTION_DISABLED = 'INTROSPECTION_DISABLED';
  var h = React.createElement;
  var root = document.getElementById('graphiql');
  var notice = document.getElementById('cg-notice');
  var config = root.dataset;

  function showNotice(text) {
    notice.textContent = text;
    notice.hidden = false;
  }

  function pretty(value) {
    return JSON.stringify(value, null, 2);
  }

  function getJson(url) {
    return fetch(url, {
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
    }).then(function (response) {
      if (!response.ok) {
        throw new Error(url + ' answered HTTP ' + response.status);
      }
      return response.json();
    });
  }

  function endpointUrls() {
    var http = new URL(config.endpoint, window.location.href);
    var ws = new URL(http.href);
    ws.protocol = http.protocol === 'https:' ? 'wss:' : 'ws:';
    return { http: http.href, ws: ws.href };
  }

  function refusesIntrospection(result) {
    var errors = (result && result.errors) || [];
    return errors.some(function (error) {
      return error && error.extensions && error.extensions.reason === INTROSPECTION_DISABLED;
    });
  }

  // The names of a document's operations, in order (null for an anonymous one): a small
  // lexer over GraphQL's tokens -- strings, block strings and comments skipped, braces
  // and parentheses counted -- enough to see the definitions at the top level.
  var TOKEN = /"""[^]*?(?:[^\\]|^)"""|"(?:\\.|[^"\\\n])*"|#[^\n\r]*|[_A-Za-z][_0-9A-Za-z]*|[{}()]|[^]/g;
  var OPERATION_KEYWORDS = { query: true, mutation: true, subscription: true };

  function operationNames(document) {
    var names = [];
    var braces = 0;
    var parens = 0;
    var inDefinition = false;
    var expectingName = false;
    var match;
    TOKEN.lastIndex = 0;
    while ((match = TOKEN.exec(document)) !== null) {
      var token = match[0];
      if (token === '(') parens += 1;
      else if (token === ')') parens -= 1;
      else if (parens > 0 || token[0] === '"' || token[0] === '#') continue;
      else if (token === '{') {
        if (braces === 0 && !inDefinition) names.push(null); // an anonymous query
        inDefinition = true;
        expectingName = false;
        braces += 1;
      } else if (token === '}') {
        braces -= 1;
        if (braces === 0) inDefinition = false;
      } else if (braces === 0 && /^[_A-Za-z]/.test(token)) {
        if (!inDefinition) {
          inDefinition = true;
          expectingName = OPERATION_KEYWORDS.hasOwnProperty(token);
          if (expectingName) names.push(null);
        } else if (expectingName) {
          names[names.length - 1] = token;
          expectingName = false;
        }
      }
    }
    return names;
  }

  // GraphiQL's rule, applied to the document actually sent: the selected operation if the
  // document has it, else its only (or first) one. GraphiQL updates the selection 100 ms
  // after an edit, so a document typed over an example tab and run at once would
  // otherwise go out with the example's operationName.
  function operationNameFor(document, selected) {
    var names = operationNames(document || '');
    if (selected && names.indexOf(selected) !== -1) return selected;
    return names.length ? names[0] || undefined : undefined;
  }

  // GraphiQL's own fetcher: POST for queries and mutations, graphql-transport-ws for
  // subscriptions (the Headers tab goes along as the connection_init payload). Schema
  // requests are watched, so a gateway with introspection off says so plainly.
  function gatewayFetcher() {
    var urls = endpointUrls();
    var fetcher = GraphiQL.createFetcher({ url: urls.http, subscriptionUrl: urls.ws });
    return function (params, options) {
      var operationName = operationNameFor(params.query, params.operationName);
      if (operationName !== params.operationName) {
        params = Object.assign({}, params, { operationName: operationName });
      }
      var result = fetcher(params, options);
      var query = params.query || '';
      if (query.indexOf('__schema') === -1 && query.indexOf('__type') === -1) {
        return result;
      }
      return Promise.resolve(result).then(function (value) {
        if (refusesIntrospection(value)) {
          showNotice(
            'Introspection is disabled on this gateway: GraphiQL has no schema, so no ' +
              'documentation or autocompletion. Queries still run.'
          );
        }
        return value;
      });
    };
  }

  // The sandbox session starts fresh on every load (its tokens and data do too), so it
  // is kept in memory rather than in localStorage.
  function memoryStorage() {
    var items = new Map();
    return {
      getItem: function (key) {
        return items.has(key) ? items.get(key) : null;
      },
      setItem: function (key, value) {
        items.set(key, String(value));
      },
      removeItem: function (key) {
        items.delete(key);
      },
      clear: function () {
        items.clear();
      },
      get length() {
        return items.size;
      },
    };
  }

  function hasStoredTabs() {
    try {
      return window.localStorage.getItem('graphiql:tabState') !== null;
    } catch (error) {
      return false; // storage disabled: GraphiQL starts fresh too
    }
  }

  function tabsFrom(examples, session) {
    var known = (session && session.variables) || {};
    var headers = session && session.users.length ? pretty(session.users[0].headers) : '';
    return examples.map(function (example) {
      var variables = {};
      Object.keys(example.variables).forEach(function (name) {
        variables[name] = name in known ? known[name] : example.variables[name];
      });
      return { query: example.query, variables: pretty(variables), headers: headers };
    });
  }

  function UserSwitch(props) {
    var editor = GraphiQL.React.useEditorContext({ nonNull: true });
    var tab = editor.tabs[editor.activeTabIndex];
    var current = (tab && tab.headers) || '';
    function actAs(user) {
      var headers = pretty(user.headers);
      if (editor.headerEditor) {
        editor.headerEditor.setValue(headers);
      }
      editor.updateActiveTabValues({ headers: headers });
    }
    return h(
      'span',
      { className: 'cg-users', role: 'group', 'aria-label': 'Act as' },
      h('span', { className: 'cg-users-label' }, 'Act as'),
      props.users.map(function (user) {
        var active = current.indexOf(user.headers.Authorization) !== -1;
        return h(
          'button',
          {
            key: user.login,
            type: 'button',
            className: 'cg-user',
            title: 'Send this tab\u2019s requests as ' + user.login,
            'aria-pressed': active ? 'true' : 'false',
            onClick: function () {
              actAs(user);
            },
          },
          user.label
        );
      })
    );
  }

  function start(examples, session) {
    var users = session && session.users && session.users.length ? session.users : null;
    var props = {
      fetcher: gatewayFetcher(),
      defaultEditorToolsVisibility: users ? 'headers' : 'variables',
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    };
    if (users) {
      props.storage = memoryStorage();
      props.defaultHeaders = pretty(users[0].headers); // a new tab acts as the first user
    }
    if (examples.length) {
      props.defaultTabs = tabsFrom(examples, users ? session : null);
      if (users || !hasStoredTabs()) {
        // GraphiQL fills the editors with the first tab's query but not with its
        // variables or headers: hand those over too when the tabs start fresh.
        props.variables = props.defaultTabs[0].variables;
        props.headers = props.defaultTabs[0].headers;
      }
    }
    var logo = h(
      GraphiQL.Logo,
      null,
      h(
        'span',
        { className: 'cg-logo' },
        h('span', { className: 'cg-brand' }, 'concur-gateway'),
        users ? h(UserSwitch, { users: users }) : null
      )
    );
    ReactDOM.createRoot(root).render(h(GraphiQL, props, logo));
  }

  var examples = getJson(config.examples).catch(function (error) {
    showNotice('No example tabs: ' + error.message);
    return [];
  });
  var session = config.session
    ? getJson(config.session).catch(function (error) {
        showNotice('No demo session: ' + error.message);
        return null;
      })
    : Promise.resolve(null);
  Promise.all([examples, session]).then(function (loaded) {
    start(loaded[0], loaded[1]);
  });
})();
